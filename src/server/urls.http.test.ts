/**
 * Over-long and malformed URLs (issue 20, low finding): answered in the API's own error format, with
 * nothing of the path echoed, over real HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Ledger } from '../ledger/log.ts';
import { Services } from '../service/services.ts';
import { initVault, type Vault } from '../store/vault.ts';
import { buildServer } from './app.ts';

describe('URLs the router cannot take', () => {
  let dir: string, vault: Vault, app: FastifyInstance, base: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tv-urls-'));
    ({ vault } = await initVault(dir));
    app = await buildServer(await Services.open(vault, { ledger: new Ledger(vault.db) }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await app?.close();
    await vault?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const marker = 'zhang.san.13912345678';
  for (const [what, path] of [
    ['an over-long parameter', `/v1/records/${marker}${'x'.repeat(200)}`],
    ['an over-long parameter before more path', `/v1/records/${marker}${'x'.repeat(200)}/consents/o`],
    ['a malformed percent-encoding', `/v1/records/${marker}%zz`],
  ] as const) {
    test(`${what}: 400 ERR_BAD_REQUEST, the path not echoed`, async () => {
      const r = await fetch(new URL(path, base));
      const text = await r.text();
      assert.equal(r.status, 400);
      assert.deepEqual(JSON.parse(text), {
        statusCode: 400,
        code: 'ERR_BAD_REQUEST',
        error: 'Bad Request',
        message: 'bad request',
      });
      assert.ok(!text.includes(marker));
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    });
  }
});
