/**
 * Request logs through fastify's own logger (pino), one JSON line per request when it completes:
 * its id (`reqId`), method, route pattern (`/v1/records/:id`, never the URL: no query string, no
 * record id), status and time. Bodies, query strings and headers are never logged; the headers that
 * carry secrets or free text are redacted should anything log a request's headers. Errors are logged
 * with the request id, the code and the error's class name only: a message or a stack could quote
 * a value.
 */
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { ErrorCode } from '../errors.ts';

/** Where log lines go: anything with `write(line)` (the command line's stderr, a test's collector). */
export interface LogDestination {
  write(line: string): unknown;
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-justification"]'];

/** A request in a log line: method and route pattern only. */
function requestFields(req: FastifyRequest): { method: string; route: string } {
  return { method: req.method, route: req.routeOptions?.url ?? '(none)' };
}

function replyFields(reply: Pick<FastifyReply, 'statusCode'>): { statusCode: number } {
  return { statusCode: reply.statusCode };
}

/** The logger fastify builds: none without a destination (`serve --quiet`). */
export function loggerOptions(dest: LogDestination | undefined): FastifyServerOptions['logger'] {
  if (!dest) return false;
  return {
    level: 'info',
    stream: dest,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { req: requestFields, res: replyFields },
  };
}

const nameOf = (e: unknown) => (e instanceof Error ? e.name : undefined);

/** Which lines fastify writes about a request: one when it completes, and errors by name. */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    const line = { req, res: reply, responseTime: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) req.log.error({ ...line, error: nameOf(error) }, 'request errored');
    else req.log.info(line, 'request completed');
  }

  override defaultErrorLog(error: Error, req: FastifyRequest, reply: FastifyReply): void {
    req.log.error({ req, res: reply, error: nameOf(error) }, 'request failed');
  }

  override streamError(error: Error, req: FastifyRequest, reply: FastifyReply): void {
    req.log.warn({ req, res: reply, error: nameOf(error) }, 'response stream failed');
  }

  override routeNotFound(req: FastifyRequest): void {
    req.log.info({ req }, 'route not found');
  }

  override writeHeadError(error: Error, req: FastifyRequest, reply: FastifyReply): void {
    req.log.warn({ req, res: reply, error: nameOf(error) }, 'writing the headers failed');
  }

  override serializerError(error: Error, req: FastifyRequest, reply: FastifyReply): void {
    req.log.error({ req, res: reply, error: nameOf(error) }, 'serializing the response failed');
  }
}

/** An internal error or an unwritable ledger: which request, which code, which class of error. */
export function logFailure(req: FastifyRequest, code: ErrorCode, e: unknown): void {
  req.log.error({ req, code, error: nameOf(e) }, 'request failed');
}
