/**
 * Strangers cannot make the server read their bodies (issue 20, finding 2): a request without a
 * valid token is answered 401 from its headers alone, while its body is still on the way, and the
 * server keeps answering others meanwhile. Real HTTP on a real socket: the client declares 57 MiB,
 * sends one chunk of nested brackets and waits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Ledger } from '../ledger/log.ts';
import { Services } from '../service/services.ts';
import { initVault, type Vault } from '../store/vault.ts';
import { buildServer } from './app.ts';

const DECLARED = 57 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, '[');

describe('authentication before the body', () => {
  let dir: string, vault: Vault, app: FastifyInstance, base: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tv-auth-first-'));
    ({ vault } = await initVault(dir));
    app = await buildServer(await Services.open(vault, { ledger: new Ledger(vault.db) }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await app?.close();
    await vault?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a request that declares `DECLARED` bytes, sends one chunk, and resolves on the response. */
  function partial(
    path: string,
    headers: Record<string, string>,
  ): { req: ClientRequest; res: Promise<IncomingMessage> } {
    const url = new URL(path, base);
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(DECLARED), ...headers },
    });
    // A server that waited for the body would never answer: the rest of it is never sent.
    const res = new Promise<IncomingMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer before the body was complete')), 10_000);
      req.on('response', (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      req.on('error', reject);
    });
    req.write(CHUNK);
    return { req, res };
  }

  async function body(res: IncomingMessage): Promise<string> {
    const parts: Buffer[] = [];
    for await (const c of res) parts.push(c as Buffer);
    return Buffer.concat(parts).toString('utf8');
  }

  for (const path of ['/v1/traces', '/v1/records/batch', '/v1/canaries/lookup']) {
    for (const [how, headers] of [
      ['no token', {}],
      ['a wrong token', { authorization: 'Bearer not-a-token-of-this-vault' }],
    ] as const) {
      test(`${path} with ${how}: 401 before the body has arrived; /healthz answers meanwhile`, async () => {
        const { req, res } = partial(path, headers);
        try {
          const r = await res;
          assert.equal(r.statusCode, 401);
          assert.equal(JSON.parse(await body(r)).code, 'ERR_UNAUTHENTICATED');
          const health = await fetch(new URL('/healthz', base));
          assert.equal(health.status, 200);
        } finally {
          req.destroy();
        }
      });
    }
  }

  test('a public route still reads its body (logging in)', async () => {
    const r = await fetch(new URL('/v1/sessions', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'nobody.here', password: 'wrong password' }),
    });
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { code: string }).code, 'ERR_UNAUTHENTICATED');
  });
});
