/**
 * Issue 23 item 3: `tracevault backup` of a vault while its server runs, `tracevault restore`, and
 * rollback detection (ADR 0029), on SQLite and PostgreSQL, through the real command line, a real
 * server process and a real witness over HTTP.
 *
 *   - a backup taken, then the vault goes on (entries, a checkpoint its witness cosigns): restoring
 *     that backup is a rollback, named by `ledger verify` (exit 1) and refused by `serve`;
 *   - a backup taken after the last cosigned checkpoint restores faithfully: it verifies, opens with
 *     the KEK supplied apart, and its records read;
 *   - no KEK in the file; a damaged file, a non-empty target, a wrong key are refused.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { BACKENDS, PG_URL } from './helpers/backends.ts';
import { initVault, openVault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { ensureLedgerKey, LEDGER_FILES, loadLedgerSigner } from '../src/ledger/log-key.ts';
import { cosignerKeyFromSeed, parseCosignerKey } from '../src/ledger/cosignature.ts';
import { parseVerifierKey } from '../src/ledger/signed-note.ts';
import { serveWitness, Witness, WITNESS_SCHEMA } from '../src/ledger/witness.ts';
import { loadWitnesses, WITNESSES_FILE } from '../src/ledger/witness-client.ts';
import { Ledger } from '../src/ledger/log.ts';
import { checkRollback, describeRollback } from '../src/ledger/rollback.ts';
import { openDb } from '../src/store/dialect/open-db.ts';
import { backupVault } from '../src/store/backup.ts';
import { restoreVault } from '../src/store/restore.ts';

const BIN = new URL('../bin/tracevault.js', import.meta.url).pathname;

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TRACEVAULT_TOKEN: '', TRACEVAULT_KEK: '' },
  });
  let stdout = '',
    stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return once(p, 'exit').then(([code]) => ({ code: code as number, stdout, stderr }));
}

/** `tracevault serve` as a real process; resolves with its URL once it listens, or its exit. */
function serve(dir: string): Promise<{ url?: string; code?: number; stderr: string; kill: () => Promise<void> }> {
  const p = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0'], {
    env: { ...process.env, TRACEVAULT_KEK: '' },
  });
  let stderr = '',
    stdout = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const kill = async () => {
    if (p.exitCode === null) {
      p.kill('SIGKILL');
      await once(p, 'exit');
    }
  };
  return new Promise((resolve) => {
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve({ url: m[1], stderr, kill });
    });
    p.on('exit', (code) => resolve({ code: code ?? -1, stderr, kill }));
  });
}

async function entries(dir: string): Promise<number> {
  const v = await openVault(dir, { env: {} });
  try {
    return Number((await v.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))!.n);
  } finally {
    await v.close();
  }
}

for (const backend of BACKENDS) {
  describe(`backup and restore (${backend.name})`, () => {
    test('a faithful restore verifies; an older one is named a rollback and not served', async () => {
      const env = await backend.fresh();
      const schemas: string[] = [];
      let witness: Server | undefined;
      try {
        const dir = join(env.dir, 'vault');
        const { vault, admin } = await initVault(dir, { database: env.database, env: {} });
        await loadCity(vault, admin, { seed: 'backup', families: 40, hospitals: 1 });
        const recordId = (await vault.db.get<{ id: string }>('SELECT id FROM records ORDER BY seq LIMIT 1'))!.id;
        await vault.close();
        // A witness of its own, over HTTP, trusting the vault's log key.
        ensureLedgerKey(dir);
        const logKey = readFileSync(join(dir, LEDGER_FILES.verifier), 'utf8').trim();
        const w = cosignerKeyFromSeed('witness.test/backup', Buffer.alloc(32, 7));
        const wdb = await openDb({ kind: 'sqlite', file: join(env.dir, 'witness.db') });
        await wdb.exec(WITNESS_SCHEMA);
        witness = await serveWitness(new Witness(parseCosignerKey(w.signerKey), [parseVerifierKey(logKey)], wdb), 0);
        const wurl = `http://127.0.0.1:${(witness.address() as AddressInfo).port}`;
        writeFileSync(join(dir, WITNESSES_FILE), JSON.stringify([{ url: wurl, verifierKey: w.verifierKey }]));

        // The server runs (its checkpointer, before it listens, has the witness cosign what is there);
        // the backup is taken under it.
        const server = await serve(dir);
        assert.ok(server.url, server.stderr);
        const old = join(env.dir, 'old.tvbackup');
        const b1 = await run('backup', '--data', dir, '--out', old);
        assert.equal(b1.code, 0, b1.stderr);
        assert.match(b1.stdout, /latest cosigned checkpoint of \d+ entries/);
        assert.equal(statSync(old).mode & 0o777, 0o600);
        // Never the KEK, in any form.
        const kekLine = readFileSync(join(dir, 'vault.key'), 'utf8').trim();
        const b64 = kekLine.slice(kekLine.indexOf(':') + 1);
        const text = readFileSync(old, 'utf8');
        assert.ok(!text.includes(b64) && !text.includes('vault.key'), 'the KEK is not in the backup');
        await server.kill();

        // The vault goes on: more entries, a checkpoint the witness cosigns.
        const v2 = await openVault(dir, { env: {} });
        for (let i = 0; i < 5; i++) await v2.createOrganisation(admin, { name: `clinic ${i}`, kind: 'clinic' });
        await v2.close();
        const cp = await run('ledger', 'checkpoint', '--data', dir);
        assert.equal(cp.code, 0, cp.stderr);
        assert.match(cp.stderr, /cosigned/);
        const liveEntries = await entries(dir);
        const fresh = join(env.dir, 'fresh.tvbackup');
        await backupVault(dir, fresh);

        const pgTarget = (): string[] => {
          if (backend.name !== 'postgres') return [];
          const s = `tv_restore_${randomBytes(5).toString('hex')}`;
          schemas.push(s);
          return ['--database', PG_URL, '--pg-schema', s];
        };
        // The older backup: a rollback, named.
        const rolled = join(env.dir, 'rolled');
        const r1 = await run('restore', old, '--data', rolled, '--key', join(dir, 'vault.key'), ...pgTarget());
        assert.equal(r1.code, 0, r1.stderr);
        const rolledEntries = await entries(rolled);
        assert.ok(rolledEntries < liveEntries);
        const verify1 = await run('ledger', 'verify', '--data', rolled);
        console.log(`[${backend.name}] rolled-back restore: ${verify1.stdout.trim()}`);
        assert.equal(verify1.code, 1);
        assert.match(
          verify1.stdout,
          new RegExp(
            `ROLLED BACK: witness\\.test/backup has cosigned ${liveEntries} entries ` +
              `but this ledger has ${rolledEntries}`,
          ),
        );
        const refused = await serve(rolled);
        await refused.kill();
        assert.equal(refused.url, undefined, 'a rolled-back vault is not served');
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /ERR_LEDGER_ROLLBACK/);
        assert.match(refused.stderr, /ROLLED BACK: witness\.test\/backup has cosigned/);

        // Rolled back and then grown past the witness's size: the witness refuses the consistency proof.
        const rv = await openVault(rolled, { env: {} });
        for (let i = 0; i < liveEntries - rolledEntries + 3; i++)
          await rv.createOrganisation(admin, { name: `after ${i}`, kind: 'clinic' });
        const rvLedger = new Ledger(rv.db);
        const signer = loadLedgerSigner(rolled);
        await rvLedger.checkpoint(signer.name, signer);
        const fork = await checkRollback(rv.db, rvLedger, loadWitnesses(rolled));
        await rv.close();
        console.log(`[${backend.name}] rolled back, then grown: ${describeRollback(fork)}`);
        assert.equal(fork.rolledBack, true);
        assert.equal(fork.findings[0]!.kind, 'fork');

        // The newer backup: faithful; it verifies, serves and reads.
        const faithful = join(env.dir, 'faithful');
        const r2 = await run('restore', fresh, '--data', faithful, '--key', join(dir, 'vault.key'), ...pgTarget());
        assert.equal(r2.code, 0, r2.stderr);
        assert.equal(await entries(faithful), liveEntries);
        const verify2 = await run('ledger', 'verify', '--data', faithful);
        console.log(`[${backend.name}] faithful restore: ${verify2.stdout.trim()}`);
        assert.equal(verify2.code, 0, verify2.stdout + verify2.stderr);
        assert.match(verify2.stdout, /not behind its witnesses \(witness\.test\/backup\)/);
        const fv = await openVault(faithful, { env: {} });
        const ov = await openVault(dir, { env: {} });
        assert.deepEqual(await fv.registry.get(recordId), await ov.registry.get(recordId), 'records read the same');
        await fv.close();
        await ov.close();
        const served = await serve(faithful);
        assert.ok(served.url, served.stderr);
        await served.kill();

        // Refusals: a non-empty target, a damaged file, a key that is not the vault's.
        await assert.rejects(restoreVault(fresh, faithful), { code: 'ERR_CONFLICT' });
        const damaged = join(env.dir, 'damaged.tvbackup');
        const bytes = readFileSync(fresh);
        bytes[Math.floor(bytes.length / 2)]! ^= 1;
        writeFileSync(damaged, bytes);
        await assert.rejects(restoreVault(damaged, join(env.dir, 'damaged')), { code: 'ERR_MALFORMED_FILE' });
        const otherKey = join(env.dir, 'other.key');
        writeFileSync(otherKey, `tracevault-kek-v1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
        const wrong = await run(
          'restore',
          fresh,
          '--data',
          join(env.dir, 'wrongkey'),
          '--key',
          otherKey,
          ...pgTarget(),
        );
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /ERR_KEY_MISMATCH/);
        await wdb.close();
      } finally {
        if (witness) await new Promise((r) => witness!.close(r));
        await env.cleanup();
        if (schemas.length > 0) {
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
          await c.end();
        }
      }
    });
  });
}
