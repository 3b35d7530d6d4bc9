/**
 * The demo story's HTTP client: the story drives the served registry as its people would, over
 * real HTTP, so that every step passes the routes, the policy, the guard and the ledger. A response
 * other than the one expected stops the story with the route, the status and the error's code,
 * never a body (a body may hold a value).
 */

export interface Answer<T> {
  readonly status: number;
  /** The body as the route documents it (/openapi.json); the story reads only what it needs. */
  readonly json: T;
  readonly text: string;
  readonly headers: Headers;
}

export interface Call {
  readonly token?: string;
  readonly body?: unknown;
  /** A body sent as it is (a file), with its content type. */
  readonly raw?: { readonly bytes: Uint8Array | string; readonly type: string };
  readonly headers?: Readonly<Record<string, string>>;
  /** The statuses that count as success (default: any 2xx). */
  readonly expect?: readonly number[];
}

/** Why the story stopped: a route, its status and error code, or the step's own words; never a value. */
export class StoryError extends Error {
  constructor(why: string) {
    super(`the demo story stopped: ${why}`);
    this.name = 'StoryError';
  }

  static answered(route: string, status: number, code: string | undefined): StoryError {
    return new StoryError(`${route} answered ${status}${code ? ` ${code}` : ''}`);
  }
}

export class StoryApi {
  readonly base: string;

  constructor(base: string) {
    this.base = base.replace(/\/$/, '');
  }

  async call<T = unknown>(method: string, path: string, c: Call = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...c.headers };
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    let body: string | Uint8Array | undefined;
    if (c.raw) {
      headers['content-type'] = c.raw.type;
      body = c.raw.bytes;
    } else if (c.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(c.body);
    }
    const res = await fetch(this.base + path, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const ok = c.expect ? c.expect.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!ok) {
      const code = (json as { code?: unknown } | undefined)?.code;
      throw StoryError.answered(
        `${method} ${path.split('?')[0]}`,
        res.status,
        typeof code === 'string' ? code : undefined,
      );
    }
    return { status: res.status, json: json as T, text, headers: res.headers };
  }
}
