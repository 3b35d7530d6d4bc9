/**
 * Requests are checked against their route's zod shapes after the caller is authenticated and the
 * body rewritten (aliases, other shapes), and a failure is a coded error naming the field and the
 * rule, never the value. Against stub services: only the HTTP layer is under test.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TracevaultError } from '../errors.ts';
import type { Services } from '../service/services.ts';
import { buildServer } from './app.ts';
import { codedError } from './validation.ts';

const TOKEN = 'tv_test_token';
const calls: unknown[][] = [];

const stub = {
  durable: () => Promise.resolve(),
  portal: { messages: { onFailure: () => undefined } }, // its routes take their services when declared
  sessions: {
    authenticate: (token: string) =>
      token === TOKEN
        ? Promise.resolve({ id: 'p_admin', orgId: 'o_1', roles: ['administrator'] })
        : Promise.reject(new TracevaultError('ERR_UNAUTHENTICATED')),
  },
  directory: {
    createPrincipal: (...args: unknown[]) => {
      calls.push(args);
      return Promise.resolve({ id: 'p_new', token: 'tv_new' });
    },
  },
  records: {
    read: (_ctx: unknown, id: string, opts: unknown) => {
      calls.push([id, opts]);
      return Promise.resolve({ id, fields: {}, clear: [] });
    },
  },
  oversight: {
    setPolicy: (_ctx: unknown, text: string) => {
      calls.push([text]);
      return Promise.resolve({ version: 2 });
    },
  },
} as unknown as Services;

describe('request validation', () => {
  let app: FastifyInstance;
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    app = await buildServer(stub);
  });

  after(async () => {
    await app.close();
  });

  test('a zod issue as a coded error: unknown keys by name, others by path and rule', () => {
    const shape = z.object({ a: z.object({ b: z.number() }).strict() }).strict();
    const unknown = codedError(shape.safeParse({ a: { b: 1 }, secret: 1 }).error!);
    // ERR_UNKNOWN_FIELD is a record type's field; a request's shape is a bad request naming the property.
    assert.equal(unknown.code, 'ERR_BAD_REQUEST');
    assert.deepEqual(unknown.details, { field: 'secret', rule: 'unknownProperty' });
    const nested = codedError(shape.safeParse({ a: { b: 1, c: 2 } }).error!, { in: 'body', route: 'PUT /v1/x' });
    assert.deepEqual(nested.details, { field: 'a.c', rule: 'unknownProperty', in: 'body', route: 'PUT /v1/x' });
    assert.equal(nested.message, 'bad request: field a.c: in the body of PUT /v1/x: rule unknownProperty');
    // A key that looks like data is not echoed.
    const data = codedError(shape.safeParse({ a: { b: 1 }, '13812345678': 1 }).error!, {
      in: 'body',
      route: 'PUT /v1/x',
    });
    assert.deepEqual(data.details, { rule: 'unknownProperty', in: 'body', route: 'PUT /v1/x' });
    assert.ok(!data.message.includes('13812345678'));
    const bad = codedError(shape.safeParse({ a: { b: '13812345678' } }).error!);
    assert.equal(bad.code, 'ERR_BAD_REQUEST');
    assert.deepEqual(bad.details, { field: 'a.b', rule: 'invalid_type' });
    assert.ok(!bad.message.includes('13812345678'));
  });

  test('the caller is authenticated before the body is checked', async () => {
    const r = await app.inject({ method: 'POST', url: '/v1/principals', payload: { nonsense: true } });
    assert.equal(r.statusCode, 401);
    assert.equal(r.json().code, 'ERR_UNAUTHENTICATED');
  });

  test('bodies: unknown fields, bad values and a missing body are coded errors', async () => {
    const principal = (payload: object) =>
      app.inject({ method: 'POST', url: '/v1/principals', headers: auth, payload });
    const unknown = await principal({ displayName: 'x', roles: ['dpo'], extra: 1 });
    assert.equal(unknown.statusCode, 400);
    // Issue 24: not "a field is not part of the record type": the property, and whose body it is in.
    assert.deepEqual(unknown.json(), {
      statusCode: 400,
      code: 'ERR_BAD_REQUEST',
      error: 'Bad Request',
      message: 'bad request',
      details: { field: 'extra', rule: 'unknownProperty', in: 'body', route: 'POST /v1/principals' },
    });
    const bad = await principal({ displayName: 'x', roles: [] });
    assert.deepEqual(bad.json().details, {
      field: 'roles',
      rule: 'too_small',
      in: 'body',
      route: 'POST /v1/principals',
    });
    const none = await app.inject({ method: 'POST', url: '/v1/sessions' });
    assert.deepEqual(none.json().details, {
      field: 'login',
      rule: 'invalid_type',
      in: 'body',
      route: 'POST /v1/sessions',
    });
    assert.equal(none.headers['cache-control'], 'no-store');
    const query = await app.inject({ method: 'GET', url: '/v1/alerts?limit=0', headers: auth });
    assert.deepEqual(query.json().details, { field: 'limit', rule: 'too_small', in: 'query', route: 'GET /v1/alerts' });
  });

  test('aliases and other shapes of a body are rewritten before it is checked', async () => {
    calls.length = 0;
    const payload = { name: 'Li', role: 'Data Protection Officer', organisationId: 'o_1' };
    const r = await app.inject({ method: 'POST', url: '/v1/principals', headers: auth, payload });
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual(r.json(), { id: 'p_new', token: 'tv_new', roles: ['dpo'], organizationId: 'o_1' });
    assert.deepEqual((calls[0]![1] as { displayName: string }).displayName, 'Li');
    const text = await app.inject({
      method: 'PUT',
      url: '/v1/policies/current',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'permit(principal, action, resource);',
    });
    assert.equal(text.statusCode, 200, text.body);
    assert.deepEqual(calls.at(-1), ['permit(principal, action, resource);']);
  });

  test('a malformed percent-encoded X-Justification is a bad request, not an internal error', async () => {
    const url = '/v1/records/r_1?purpose=treatment&reveal=motherResidentId';
    const bad = await app.inject({ method: 'GET', url, headers: { ...auth, 'x-justification': '%E4%B8' } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().details, { field: 'x-justification', rule: 'percentEncoding' });
    const good = await app.inject({
      method: 'GET',
      url,
      headers: { ...auth, 'x-justification': '%E6%A0%B8%E5%AF%B9' },
    });
    assert.equal(good.statusCode, 200);
    assert.deepEqual(calls.at(-1), [
      'r_1',
      { purpose: 'treatment', reveal: ['motherResidentId'], justification: '核对' },
    ]);
  });

  test('every response carries its request id and is not cached or sniffed', async () => {
    const r = await app.inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual(r.json(), { ok: true });
    assert.match(String(r.headers['x-request-id']), /^[\w-]{12}$/);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });
});
