/**
 * A server on a new, empty SQLite vault, over real HTTP on a free port, for tests of the HTTP layer
 * that need no data. Registers, in the calling `describe`, the `before` that opens it and the
 * `after` that closes it; `url(path)` is a path on it once `before` has run.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Ledger } from '../../src/ledger/log.ts';
import { Services } from '../../src/service/services.ts';
import { initVault, type Vault } from '../../src/store/vault.ts';
import { buildServer } from '../../src/server/app.ts';

export function emptyServer(name: string): { url(path: string): URL } {
  let dir: string, vault: Vault | undefined, app: FastifyInstance | undefined, base: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), `tv-${name}-`));
    ({ vault } = await initVault(dir));
    app = await buildServer(await Services.open(vault, { ledger: new Ledger(vault.db) }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    await vault?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { url: (path) => new URL(path, base) };
}
