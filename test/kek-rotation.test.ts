/**
 * Issue 23 item 3: `tracevault keys rotate-kek`, killed with SIGKILL midway (a real process, after
 * its first data key is re-wrapped), then run again: it completes. Midway the vault still opens and
 * reads (the data keys are under either KEK); afterwards only the new KEK opens it, the old one is
 * kept as DIR/vault.key.retired-<id>, every record reads as before, and the ledger says so.
 * SQLite and PostgreSQL.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS } from './helpers/backends.ts';
import { initVault, openVault, NEXT_KEK } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { loadKek } from '../src/crypto/key-file.ts';

const BIN = new URL('../bin/tracevault.js', import.meta.url).pathname;
const ENV = { ...process.env, TRACEVAULT_KEK: '', TRACEVAULT_TOKEN: '' };

async function readAll(dir: string, ids: readonly string[]): Promise<string> {
  const v = await openVault(dir, { env: {} });
  try {
    const out = [];
    for (const id of ids) out.push(await v.registry.get(id));
    return JSON.stringify(out);
  } finally {
    await v.close();
  }
}

for (const backend of BACKENDS) {
  describe(`keys rotate-kek (${backend.name})`, () => {
    test('killed midway with SIGKILL, run again: it completes; only the new KEK opens the vault', async () => {
      const env = await backend.fresh();
      try {
        const dir = join(env.dir, 'vault');
        const { vault, admin } = await initVault(dir, { database: env.database, env: {} });
        await loadCity(vault, admin, { seed: 'kek', families: 20, hospitals: 1 });
        const ids = (await vault.db.all<{ id: string }>('SELECT id FROM records ORDER BY seq LIMIT 10')).map(
          (r) => r.id,
        );
        await vault.close();
        const before = await readAll(dir, ids);
        const oldKek = loadKek(join(dir, 'vault.key'), {});

        // First run: SIGKILL once the first data key is re-wrapped (it pauses there).
        const p = spawn(process.execPath, [BIN, 'keys', 'rotate-kek', '--data', dir, '--pause-ms', '20000'], {
          env: ENV,
        });
        let stdout = '';
        await new Promise<void>((resolve, reject) => {
          p.stdout.on('data', (d: Buffer) => {
            stdout += d.toString();
            if (/re-wrapped data key 1\/2/.test(stdout)) resolve();
          });
          p.on('exit', () => reject(new Error(`rotate-kek ended before the kill: ${stdout}`)));
        });
        p.kill('SIGKILL');
        await once(p, 'exit');
        assert.equal(p.signalCode, 'SIGKILL');
        const nextKek = loadKek(join(dir, NEXT_KEK), {});
        const mid = await openVault(dir, { env: {} });
        const under = (await mid.db.all<{ kek_id: string }>('SELECT kek_id FROM data_keys ORDER BY purpose')).map(
          (r) => r.kek_id,
        );
        const metaMid = (await mid.db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'kek_id'"))!.value;
        await mid.close();
        console.log(`[${backend.name}] after SIGKILL: data keys under ${JSON.stringify(under)}; meta ${metaMid}`);
        assert.deepEqual([...under].sort(), [nextKek.id, oldKek.id].sort(), 'one data key re-wrapped, one not');
        assert.equal(metaMid, oldKek.id);
        assert.equal(await readAll(dir, ids), before, 'midway, the vault opens and reads');

        // Second run: completes what the first began.
        const again = spawn(process.execPath, [BIN, 'keys', 'rotate-kek', '--data', dir], { env: ENV });
        let out2 = '',
          err2 = '';
        again.stdout.on('data', (d: Buffer) => (out2 += d.toString()));
        again.stderr.on('data', (d: Buffer) => (err2 += d.toString()));
        const [code] = await once(again, 'exit');
        console.log(`[${backend.name}] rerun: ${out2.trim().replaceAll('\n', ' | ')}`);
        assert.equal(code, 0, err2);
        assert.match(out2, /1 data keys re-wrapped \(completed an interrupted rotation\)/);
        assert.ok(!existsSync(join(dir, NEXT_KEK)));
        assert.equal(loadKek(join(dir, 'vault.key'), {}).id, nextKek.id);
        assert.equal(loadKek(join(dir, `vault.key.retired-${oldKek.id}`), {}).id, oldKek.id);
        assert.equal(await readAll(dir, ids), before, 'every record reads as before');

        const v = await openVault(dir, { env: {} });
        const keks = await v.db.all<{ kek_id: string }>('SELECT DISTINCT kek_id FROM data_keys');
        const entry = await v.db.get<{ entry: string }>(
          "SELECT entry FROM audit_events WHERE action = 'key.rotate' ORDER BY seq DESC LIMIT 1",
        );
        await v.close();
        assert.deepEqual(
          keks.map((k) => k.kek_id),
          [nextKek.id],
        );
        assert.match(entry!.entry, new RegExp(`"kind":"kek","from":"${oldKek.id}","to":"${nextKek.id}"`));
        // The old KEK alone no longer opens it.
        const oldText = readFileSync(join(dir, `vault.key.retired-${oldKek.id}`), 'utf8').trim();
        await assert.rejects(openVault(dir, { env: { TRACEVAULT_KEK: oldText } }), { code: 'ERR_KEY_MISMATCH' });
      } finally {
        await env.cleanup();
      }
    });
  });
}
