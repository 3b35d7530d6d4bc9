/**
 * JSON request bodies, parsed as they arrive (issue 20): a large body is never handed whole to
 * JSON.parse on the event loop. Each chunk the socket delivers is tokenised on its own turn
 * (@streamparser/json, which follows RFC 8259), so other requests are answered between chunks; the
 * route's byte limit is counted on the bytes received, not on what the client declares; nesting
 * deeper than MAX_DEPTH and the keys `__proto__` and `constructor` are refused, as fastify's own
 * parser (secure-json-parse) refuses them. Every refusal is a 4xx with no part of the body in it.
 */
import type { Readable } from 'node:stream';
import { Tokenizer, TokenParser, TokenType } from '@streamparser/json';

/** Deeper than any request the API defines (records are two levels; batches three). */
export const MAX_DEPTH = 32;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/** The JSON value of a request body stream, at most `limit` bytes. */
export async function parseJsonBody(payload: Readable, limit: number, declared?: number): Promise<unknown> {
  if (declared !== undefined && declared > limit) throw new BodyError(413, 'FST_ERR_CTP_BODY_TOO_LARGE');
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: ['$'], keepStack: false });
  let depth = 0,
    previous: { token: TokenType; value: unknown } | undefined,
    result: unknown,
    done = false;
  tokenizer.onToken = (t) => {
    if (t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET) {
      if (++depth > MAX_DEPTH) throw new BodyError(400, 'ERR_JSON_TOO_DEEP');
    } else if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) depth--;
    else if (
      t.token === TokenType.COLON &&
      previous?.token === TokenType.STRING &&
      FORBIDDEN_KEYS.has(String(previous.value))
    )
      throw new BodyError(400, 'FST_ERR_CTP_INVALID_JSON');
    previous = t;
    parser.write(t);
  };
  parser.onValue = ({ value, stack }) => {
    if (stack.length === 0) {
      result = value;
      done = true;
    }
  };
  parser.onEnd = () => undefined;
  let received = 0;
  try {
    for await (const chunk of payload) {
      received += (chunk as Buffer).length;
      if (received > limit) throw new BodyError(413, 'FST_ERR_CTP_BODY_TOO_LARGE');
      tokenizer.write(chunk as Buffer);
    }
    if (received === 0) throw new BodyError(400, 'FST_ERR_CTP_EMPTY_JSON_BODY');
    if (!tokenizer.isEnded) tokenizer.end();
  } catch (e) {
    if (e instanceof BodyError) throw e;
    throw new BodyError(400, 'FST_ERR_CTP_INVALID_JSON');
  }
  if (!done) throw new BodyError(400, 'FST_ERR_CTP_INVALID_JSON');
  return result;
}
