import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STORAGE_MATRIX } from '../../test/helpers/suites.ts';
import { initVault, openVault, type Vault, type Principal } from './vault.ts';
import { loadCity } from '../sim/load.ts';
import { rotateKeys } from './key-rotation.ts';

for (const { backend, suite, name } of STORAGE_MATRIX) {
  describe(`keys rotate on ${name}`, () => {
    let vault: Vault, admin: Principal, env: Awaited<ReturnType<typeof backend.fresh>>;
    before(async () => {
      env = await backend.fresh();
      ({ vault, admin } = await initVault(env.dir, { database: env.database, cipherSuite: suite.name }));
      await loadCity(vault, admin, { seed: 'rot', families: 120 });
    });
    after(async () => {
      await vault.close();
      await env.cleanup();
    });

    test('re-encrypts every record while reads go on, then deletes the old data key', async () => {
      const ids = (await vault.db.all<{ id: string }>('SELECT id FROM records ORDER BY seq')).map((r) => r.id);
      const before = new Map<string, string>();
      for (const id of ids)
        before.set(
          id,
          JSON.stringify([...(await vault.registry.get(id, { history: true })).history!].map((v) => v.value)),
        );
      const sealedBefore = (await vault.db.get<{ sealed: Buffer }>(
        'SELECT sealed FROM record_changes ORDER BY record_seq LIMIT 1',
      ))!.sealed;
      // A second process (another vault handle) reads throughout the rotation.
      const reader = await openVault(env.dir, { env: {} });
      let reads = 0,
        stop = false;
      const readLoop = (async () => {
        while (!stop) {
          const id = ids[reads % ids.length]!;
          assert.equal(
            JSON.stringify([...(await reader.registry.get(id, { history: true })).history!].map((v) => v.value)),
            before.get(id),
          );
          reads++;
        }
      })();
      const r = await rotateKeys(vault, admin, { batchSize: 16 });
      stop = true;
      await readLoop;
      await reader.close();
      assert.equal(r.toVersion, 2);
      assert.equal(r.records, ids.length);
      assert.ok(reads > 0);
      const versions = await vault.db.all<{ version: number }>("SELECT version FROM data_keys WHERE purpose = 'data'");
      assert.deepEqual(
        versions.map((v) => Number(v.version)),
        [2],
      );
      assert.notDeepEqual(
        (await vault.db.get<{ sealed: Buffer }>('SELECT sealed FROM record_changes ORDER BY record_seq LIMIT 1'))!
          .sealed,
        sealedBefore,
      );
      for (const id of ids)
        assert.equal(
          JSON.stringify([...(await vault.registry.get(id, { history: true })).history!].map((v) => v.value)),
          before.get(id),
        );
      // A fresh process opens the vault with only the new data key.
      const again = await openVault(env.dir, { env: {} });
      assert.equal((await again.registry.get(ids[0]!)).id, ids[0]);
      await again.close();
    });
  });
}
