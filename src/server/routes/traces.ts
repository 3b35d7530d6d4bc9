/**
 * Traces: a leaked list uploaded as it was found (a file in its own content type, or JSON), traced
 * to the disclosures it came from; the report again as JSON or as a readable page
 * (service/traces.ts, trace/report.ts).
 */
import type { FastifyPluginCallback } from 'fastify';
import { TracevaultError } from '../../errors.ts';
import { LEAK_FORMATS, leakFromJson, readLeakBytes, type LeakFormat, type LeakTable } from '../../trace/leak-file.ts';
import { renderHtml } from '../../trace/report.ts';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';

const TRACE_LIMIT = 64 * 1024 * 1024;

/** Upload content types of a leak, and the format each means. */
export const LEAK_TYPES: Readonly<Record<string, LeakFormat>> = {
  'text/csv': 'csv',
  'text/plain': 'text',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/octet-stream': 'csv',
};

/** The page's own rules: nothing loaded from anywhere, no script; its charts are inline SVG. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * A trace upload as a leak: the file as the body (its content type says the format; ?format=
 * overrides), or JSON — the rows themselves ({ rows: [...] } or an array), or
 * { content, format, encoding: "base64" | "utf8" } for a file inside JSON.
 */
async function leakOfUpload(body: unknown, contentType: string, format: string | undefined): Promise<LeakTable> {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const wanted = format as LeakFormat | undefined;
  if (Buffer.isBuffer(body)) return readLeakBytes(body, wanted ?? LEAK_TYPES[type] ?? 'csv');
  if (typeof body === 'string') return readLeakBytes(Buffer.from(body, 'utf8'), wanted ?? 'text');
  if (isFileInJson(body)) {
    const f = (typeof body.format === 'string' ? body.format : wanted) ?? 'csv';
    if (!(LEAK_FORMATS as readonly string[]).includes(f)) throw new TracevaultError('ERR_UNSUPPORTED_FORMAT');
    return readLeakBytes(Buffer.from(body.content, body.encoding === 'base64' ? 'base64' : 'utf8'), f as LeakFormat);
  }
  return leakFromJson(body);
}

function isFileInJson(body: unknown): body is { content: string; format?: unknown; encoding?: unknown } {
  return (
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    typeof (body as { content?: unknown }).content === 'string'
  );
}

export const traceRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { traces } = services;

  route({
    method: 'POST',
    url: '/traces',
    tag: 'traces',
    summary:
      'Trace a leaked list (investigator): upload the file as the body (text/csv, XLSX, application/json, ' +
      'application/x-ndjson, text/plain for pasted chat text), or JSON { rows } / { content, format, encoding }; ' +
      'the report (accused, confidenceSets, candidates, window, affected, rows, notices)',
    query: S.TraceQuery,
    consumes: Object.keys(LEAK_TYPES),
    bodyLimit: TRACE_LIMIT,
    status: 201,
    handler: async ({ req, query, ctx }) => {
      const table = await leakOfUpload(req.body, String(req.headers['content-type'] ?? ''), query.format);
      const inBody = (req.body as { epsilon?: unknown } | undefined)?.epsilon;
      const epsilon = query.epsilon ?? (typeof inBody === 'number' ? inBody : undefined);
      return traces.run(ctx, table, { epsilon });
    },
  });

  route({
    method: 'GET',
    url: '/traces/{id}',
    tag: 'traces',
    summary:
      'A trace report (investigator): JSON, or the readable HTML page with charts and draft notices ' +
      '(?format=html or Accept: text/html)',
    query: S.TraceReportQuery,
    produces: ['application/json', 'text/html'],
    handler: async ({ params, query, ctx, req, reply }) => {
      const report = await traces.get(ctx, params.id!);
      const accepts = /text\/html/.test(String(req.headers.accept ?? ''));
      const html = query.format === 'html' || (query.format === undefined && accepts);
      if (!html) return report;
      void reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', REPORT_CSP);
      return renderHtml(report);
    },
  });
  done();
};
