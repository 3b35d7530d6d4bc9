/**
 * Request logs go through fastify's logger as JSON lines: the request id, method, route pattern,
 * status and time, and nothing a caller sent (no query string, body or header). An internal error
 * is logged with its request id, code and class name, not its message. Against stub services.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Services } from '../service/services.ts';
import { buildServer } from './app.ts';

const SECRETS = ['13812345678', 'tv_secret_token', 'because-I-said-so', 'correct horse battery'];

test('request lines hold the route pattern and status, never what the caller sent', async () => {
  const stub = {
    durable: () => Promise.resolve(),
    portal: { messages: { onFailure: () => undefined } }, // its routes take their services when declared
    sessions: {
      authenticate: () => Promise.reject(new Error(`lookup failed for ${SECRETS[0]}`)),
      login: () => Promise.resolve({ token: 't', expiresAt: 'x', principalId: 'p' }),
    },
  } as unknown as Services;
  const lines: string[] = [];
  const app = await buildServer(stub, { log: { write: (l: string) => lines.push(l) } });
  try {
    const token = SECRETS[1]!;
    const headers = { authorization: `Bearer ${token}`, 'x-justification': SECRETS[2]!, cookie: `s=${token}` };
    const url = `/v1/records/r_1?purpose=treatment&justification=${SECRETS[0]}`;
    const read = await app.inject({ method: 'GET', url, headers });
    assert.equal(read.statusCode, 500);
    assert.equal(read.json().code, 'ERR_INTERNAL');
    await app.inject({ method: 'POST', url: '/v1/sessions', payload: { login: SECRETS[0], password: SECRETS[3] } });
    await app.inject({ method: 'GET', url: `/nowhere?phone=${SECRETS[0]}` });
  } finally {
    await app.close();
  }
  const all = lines.join('');
  for (const s of SECRETS) assert.ok(!all.includes(s), s);
  assert.ok(!all.includes('?'), 'no query string');
  interface Line {
    msg: string;
    reqId: string;
    req: { method: string; route: string };
    res: { statusCode: number };
    responseTime: number;
    code?: string;
    error?: string;
  }
  const entries = lines.map((l) => JSON.parse(l) as Line);
  const done = entries.filter((e) => e.msg === 'request completed');
  assert.deepEqual(
    done.map((e) => [e.req.method, e.req.route, e.res.statusCode]),
    [
      ['GET', '/v1/records/:id', 500],
      ['POST', '/v1/sessions', 201],
      ['GET', '(none)', 404],
    ],
  );
  for (const e of done) {
    assert.match(String(e.reqId), /^[\w-]{12}$/);
    assert.equal(typeof e.responseTime, 'number');
    assert.deepEqual(Object.keys(e.req).sort(), ['method', 'route']);
  }
  const failed = entries.find((e) => e.msg === 'request failed');
  assert.equal(failed?.code, 'ERR_INTERNAL');
  assert.equal(failed?.error, 'Error');
  assert.equal(failed?.reqId, done[0]!.reqId);
});
