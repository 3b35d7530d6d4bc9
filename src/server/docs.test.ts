/**
 * The documentation is made from the route declarations: every `METHOD /path` the README's HTTP API
 * table lists is in /openapi.json and in the index of /docs; the reference loads nothing from
 * elsewhere and says so in its content-security policy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES } from '../errors.ts';
import { Ledger } from '../ledger/log.ts';
import { Services } from '../service/services.ts';
import { initVault, type Vault } from '../store/vault.ts';
import { buildServer } from './app.ts';

const README = new URL('../../README.md', import.meta.url);

/** `METHOD /path` of each row of the README's HTTP API table, paths as OpenAPI writes them. */
export function readmeEndpoints(markdown: string): { method: string; path: string }[] {
  const section = markdown.split(/^## HTTP API$/m)[1]?.split(/^##+ /m)[0] ?? '';
  const out: { method: string; path: string }[] = [];
  for (const row of section.split('\n').filter((l) => l.startsWith('|'))) {
    const first = row.split(/(?<!\\)\|/)[1] ?? '';
    for (const m of first.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)`/g)) {
      const path = m[2]!
        .replace(/\\\|/g, '|')
        .replace(/\[[^\]]*\]/g, '') // optional parts: [?since=…], [.p/<W>]
        .replace(/\?.*$/, '') // a query string
        .replace(/<(\w+)>/g, '{$1}')
        .trim();
      out.push({ method: m[1]!, path });
    }
  }
  return out;
}

describe('API documentation', () => {
  let dir: string, vault: Vault, app: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tv-docs-'));
    ({ vault } = await initVault(dir));
    app = await buildServer(await Services.open(vault, { ledger: new Ledger(vault.db) }));
  });

  after(async () => {
    await app?.close();
    await vault?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every endpoint of the README is in /openapi.json and in the index of /docs', async () => {
    const listed = readmeEndpoints(readFileSync(README, 'utf8'));
    assert.ok(listed.length >= 35, `${listed.length} endpoints in the README`);
    assert.ok(listed.some((e) => e.path === '/v1/ledger/tile/{L}/{N}'));
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    const page = (await app.inject({ method: 'GET', url: '/docs' })).body;
    for (const { method, path } of listed) {
      assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} in /openapi.json`);
      const row = `<td><code>${method}</code></td><td><code>${path}</code></td>`;
      assert.ok(page.includes(row), `${method} ${path} in /docs`);
    }
  });

  test('the document: OpenAPI 3.1, bearer tokens but on public paths, each error code with its status', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    assert.deepEqual(Object.keys(doc.components['x-error-codes']), Object.keys(ERROR_CODES));
    const blocked = { status: 403, message: ERROR_CODES.ERR_GUARD_BLOCKED };
    assert.deepEqual(doc.components['x-error-codes'].ERR_GUARD_BLOCKED, blocked);
    assert.equal(doc.components['x-error-codes'].ERR_INTERNAL.status, 500);
    assert.deepEqual(doc.paths['/v1/sessions'].post.security, []);
    assert.deepEqual(doc.paths['/v1/ledger/checkpoint'].get.security, []);
    assert.equal(doc.paths['/v1/records'].post.security, undefined);
    for (const item of Object.values<Record<string, { responses: Record<string, unknown> }>>(doc.paths)) {
      for (const op of Object.values(item)) {
        assert.deepEqual(op.responses.default, { $ref: '#/components/responses/Error' });
      }
    }
    // Shapes come from the declarations: the body of a login, the query of a read.
    const login = doc.paths['/v1/sessions'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(login.required, ['login', 'password']);
    const params: { in: string; name: string }[] = doc.paths['/v1/records/{id}'].get.parameters;
    const read = params.map((p) => `${p.in}:${p.name}`);
    assert.deepEqual(read.sort(), ['path:id', 'query:justification', 'query:purpose', 'query:reveal']);
    assert.ok(doc.paths['/v1/records/{id}'].delete.responses['204']);
  });

  test('the reference is served from here only, under its own content-security policy', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<title>Tracevault API<\/title>/);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    const assets = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.some((a) => a.endsWith('swagger-ui-bundle.js')));
    for (const a of assets) {
      assert.doesNotMatch(a, /^(https?:)?\/\//, a);
      const url = a.startsWith('/') ? a : `/docs/${a.replace(/^\.\//, '')}`;
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
    const init = (await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })).body;
    assert.match(init, /validatorUrl: null/);
  });
});
