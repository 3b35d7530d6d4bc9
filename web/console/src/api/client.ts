/**
 * The HTTP API, typed from the server's own /openapi.json (the portal's generated
 * web/src/api/schema.d.ts, scripts/gen-api-types.ts): a route whose shape changes makes the console
 * fail to compile. Same origin only. Every request carries the session's bearer token; a 401 ends
 * the session (the app goes back to the login page). Personal values go in bodies, never in a URL.
 */
import createClient from 'openapi-fetch';
import type { paths } from '../../../src/api/schema.d.ts';
import { clearSession, loadSession } from '../session.ts';

export type { paths };

export const api = createClient<paths>({ baseUrl: '' });

/** Called when the server says the session is no more (set by the app). */
let onSignedOut: () => void = () => undefined;
export const whenSignedOut = (f: () => void) => {
  onSignedOut = f;
};

api.use({
  onRequest({ request }) {
    const s = loadSession();
    if (s && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${s.token}`);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/v1/sessions')) {
      clearSession();
      onSignedOut();
    }
    return response;
  },
});

/** A coded error as the server sends it (src/server/errors.ts): a fixed message, no value. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** The error of a failed call: the server's coded body, or ERR_NETWORK when nothing came back. */
export function apiError(status: number | undefined, body: unknown): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    code?: unknown;
    message?: unknown;
    details?: unknown;
  };
  const code = typeof b.code === 'string' ? b.code : status === undefined ? 'ERR_NETWORK' : 'ERR_INTERNAL';
  const details = b.details && typeof b.details === 'object' ? (b.details as Record<string, unknown>) : undefined;
  return new ApiError(status ?? 0, code, typeof b.message === 'string' ? b.message : '', details);
}

/**
 * The data of an openapi-fetch call, or its coded error thrown (`data` is defined whenever the
 * server answered 2xx; a 204 gives undefined).
 */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch {
    throw apiError(undefined, undefined);
  }
  if (!r.response.ok) throw apiError(r.response.status, r.error);
  return r.data as T;
}

/**
 * A JSON request on a path the typed client does not know yet (an endpoint in progress on the server);
 * the same bearer token and the same errors.
 */
export async function raw<T>(method: string, path: string, body?: unknown): Promise<T> {
  const s = loadSession();
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(s ? { authorization: `Bearer ${s.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw apiError(undefined, undefined);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status === 401 && path !== '/v1/sessions') {
    clearSession();
    onSignedOut();
  }
  if (!res.ok) throw apiError(res.status, json);
  return json as T;
}

/** A file sent as the request's body (an import), with its content type; the same token and errors. */
export async function sendFile<T>(path: string, file: Blob, type: string, headers: Record<string, string> = {}) {
  const s = loadSession();
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { ...(s ? { authorization: `Bearer ${s.token}` } : {}), 'content-type': type, ...headers },
      body: file,
    });
  } catch {
    throw apiError(undefined, undefined);
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw apiError(res.status, json);
  return json as T;
}
