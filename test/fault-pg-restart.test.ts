/**
 * Issue 23, item 2 (ADR 0028): PostgreSQL restarted under a load of reveals, on a cluster of the
 * test's own (never the shared one). While it is down every request is answered, and a refused one
 * is `503 ERR_STORE_UNAVAILABLE` — never a 500, never a value without its disclosure and ledger
 * entry; the server process survives and reconnects by itself (its pool drops the dead
 * connections), and the load recovers. The counts of each phase are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, cli, ledgerCounts, loadedVault, spawnServer, type Served } from './helpers/fault-server.ts';
import { ownPostgres, type OwnPostgres } from './helpers/own-postgres.ts';

const CLIENTS = 4;

test('PostgreSQL restarted under load: 503 ERR_STORE_UNAVAILABLE, then the load recovers', async () => {
  let pg: OwnPostgres | undefined;
  let server: Served | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tv-fault-pg-'));
  try {
    pg = await ownPostgres();
    const v = await loadedVault(dir, { kind: 'postgres', url: pg.url, schema: 'vault' }, 40);
    server = await spawnServer(dir);
    const base = server.url;
    type Phase = 'before' | 'down' | 'after';
    let phase: Phase = 'before';
    const answers: Record<Phase, Record<string, number>> = { before: {}, down: {}, after: {} };
    const received: string[] = [];
    const bad: string[] = [];
    let stop = false;
    let recoveredAt = 0;
    const client = async (i: number) => {
      for (let n = 0; !stop; n++) {
        const rec = v.patients[(i * 5 + n) % v.patients.length]!;
        const p = phase;
        let key: string;
        try {
          const r = await call(base, 'GET', `/v1/records/${rec}?purpose=treatment&reveal=motherPhone`, v.clinician);
          key = r.status === 200 ? '200' : `${r.status} ${r.json.code as string}`;
          if (r.status === 200) {
            received.push(r.json.disclosureId as string);
            if (p === 'after' && recoveredAt === 0) recoveredAt = performance.now();
          } else if (r.status !== 503 || r.json.code !== 'ERR_STORE_UNAVAILABLE') bad.push(`${key}: ${r.text}`);
        } catch (e) {
          key = 'no answer';
          bad.push(`no answer: ${String(e)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        answers[p][key] = (answers[p][key] ?? 0) + 1;
        // Down, the answers come at once: a client waits a little before trying again.
        if (p === 'down') await new Promise((r) => setTimeout(r, 20));
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
    await new Promise((r) => setTimeout(r, 1000));
    phase = 'down';
    pg.stop();
    const downAt = Date.now();
    // A token this server has not seen (none cached) cannot be checked: 503, not 401. Liveness answers.
    const fresh = await call(base, 'GET', `/v1/records/${v.patients[0]!}`, v.clerk);
    const health = await call(base, 'GET', '/healthz');
    await new Promise((r) => setTimeout(r, Math.max(0, 1500 - (Date.now() - downAt))));
    pg.start();
    const restarted = performance.now();
    phase = 'after';
    for (let i = 0; i < 200 && recoveredAt === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(clients);
    const alive = server.child.exitCode === null && server.child.signalCode === null;
    const stderr = server.stderr.join('');
    await server.stop();
    server = undefined;

    const counts = await ledgerCounts(dir, received);
    const summary =
      `answers before ${JSON.stringify(answers.before)}, while down ${JSON.stringify(answers.down)}, ` +
      `after ${JSON.stringify(answers.after)}; ` +
      `recovered ${recoveredAt ? (recoveredAt - restarted).toFixed(0) : '—'} ms ` +
      `after the restart; 200s ${received.length}, disclosures ${counts.disclosures}, ledger entries ` +
      `${counts.entries}; 200s missing their disclosure or entry ${counts.lost.length}; disclosures without ` +
      `an entry ${counts.unledgered.length}; an unseen token while down: ${fresh.status} ` +
      `${fresh.json.code as string}; /healthz ${health.status}`;
    console.log(`# postgres restart: ${summary}`);
    assert.ok(alive, `the server process survived the restart: ${stderr.slice(-3000)}`);
    assert.deepEqual(bad, [], summary);
    assert.equal(`${fresh.status} ${fresh.json.code as string}`, '503 ERR_STORE_UNAVAILABLE', fresh.text);
    assert.equal(health.status, 200);
    assert.ok((answers.down['503 ERR_STORE_UNAVAILABLE'] ?? 0) > 0, summary);
    assert.ok((answers.before['200'] ?? 0) > 0 && (answers.after['200'] ?? 0) > 0, summary);
    assert.deepEqual(counts.lost, [], summary);
    assert.deepEqual(counts.unledgered, [], summary);
    const verify = cli(['ledger', 'verify', '--data', dir]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  } finally {
    await server?.kill9();
    pg?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
