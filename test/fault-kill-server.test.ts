/**
 * Issue 23, item 2 (ADR 0028): `kill -9` of a real `tracevault serve` process under a load of
 * reveals and export downloads, on SQLite and PostgreSQL. Every 200 the clients received names a
 * disclosure (body `disclosureId`, header `x-disclosure-id`): each must exist after the crash, with
 * its ledger entry; no disclosure may exist without its ledger entry; a restarted server serves,
 * and `tracevault ledger verify` passes. The counts are printed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from './helpers/backends.ts';
import {
  approvedExport,
  call,
  cli,
  ledgerCounts,
  loadedVault,
  spawnServer,
  type LoadedVault,
  type Served,
} from './helpers/fault-server.ts';

const CLIENTS = 6;
const LOAD_MS = Number(process.env.FAULT_LOAD_MS ?? 1500);

for (const backend of BACKENDS) {
  describe(`kill -9 of a server under load on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.fresh>>;
    let v: LoadedVault;
    let server: Served | undefined;

    before(async () => {
      env = await backend.fresh();
      v = await loadedVault(env.dir, env.database);
    });
    after(async () => {
      await server?.kill9();
      await env?.cleanup();
    });

    test('every 200 has its disclosure and ledger entry; the ledger verifies after restart', async () => {
      server = await spawnServer(env.dir);
      const exportId = await approvedExport(server.url, v);
      const before = await ledgerCounts(env.dir);
      const received: string[] = [];
      const statuses = new Map<string, number>();
      let sent = 0,
        exported = 0;
      let stop = false;
      const base = server.url;
      const client = async (i: number) => {
        for (let n = 0; !stop; n++) {
          sent++;
          try {
            let id: string | null;
            let status: number;
            if (i === 0 && n % 4 === 0) {
              const r = await call(base, 'GET', `/v1/exports/${exportId}/file`, v.clerk);
              status = r.status;
              id = r.headers.get('x-disclosure-id');
              if (status === 200) exported++;
            } else {
              const rec = v.patients[(i * 7 + n) % v.patients.length]!;
              const r = await call(base, 'GET', `/v1/records/${rec}?purpose=treatment&reveal=motherPhone`, v.clinician);
              status = r.status;
              id = (r.json.disclosureId as string | undefined) ?? null;
            }
            statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
            if (status === 200) {
              assert.ok(id, 'a 200 names its disclosure');
              received.push(id);
            }
          } catch {
            // The connection died with the server: nothing was received.
            statuses.set('no answer', (statuses.get('no answer') ?? 0) + 1);
            return;
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
      // Under load for LOAD_MS and at least 40 answers (a busy machine answers slowly), at most 30 s.
      const started = Date.now();
      while ((Date.now() - started < LOAD_MS || received.length < 40) && Date.now() - started < 30_000)
        await new Promise((r) => setTimeout(r, 50));
      await server.kill9();
      stop = true;
      await Promise.all(clients);

      const counts = await ledgerCounts(env.dir, received);
      const summary =
        `${backend.name}: ${sent} requests sent, answers ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `200s with a disclosure: ${received.length} (${exported} export files); ` +
        `disclosures ${before.disclosures} -> ${counts.disclosures}, ` +
        `ledger entries ${before.entries} -> ${counts.entries}; 200s missing their disclosure or entry: ` +
        `${counts.lost.length}; disclosures without an entry: ${counts.unledgered.length}`;
      console.log(`# ${summary}`);
      assert.ok(received.length > 20, summary);
      assert.deepEqual(counts.lost, [], summary);
      assert.deepEqual(counts.unledgered, [], summary);
      // The crash may have committed a few whose answers never arrived, never fewer than answered.
      assert.ok(counts.disclosures - before.disclosures >= received.length, summary);

      // Restarted: it serves, and the ledger (every entry, the tree, each checkpoint) verifies.
      server = await spawnServer(env.dir);
      const again = await call(
        server.url,
        'GET',
        `/v1/records/${v.patients[0]!}?purpose=treatment&reveal=motherPhone`,
        v.clinician,
      );
      assert.equal(again.status, 200, again.text);
      await server.stop();
      server = undefined;
      const verify = cli(['ledger', 'verify', '--data', env.dir]);
      console.log(`# ${backend.name}: ledger verify after restart: exit ${verify.status}; ${verify.stdout.trim()}`);
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    });
  });
}
