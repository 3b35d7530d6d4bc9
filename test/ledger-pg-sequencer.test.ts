/**
 * PostgreSQL: sequence numbers of the log stay gap-free and unique when two server processes
 * append at the same time (one sequencer under a transaction-scoped advisory lock).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS } from './helpers/backends.ts';
import { initVault, openVault } from '../src/store/vault.ts';

test('two processes appending at once: seq 1..n, no gap, no duplicate', async () => {
  const env = await BACKENDS.find((b) => b.name === 'postgres')!.fresh();
  try {
    const { vault } = await initVault(env.dir, { database: env.database });
    const before = Number((await vault.db.get<{ n: number }>('SELECT MAX(seq) AS n FROM audit_events'))!.n);
    await vault.close();
    const worker = join(env.dir, 'appender.mts');
    const appendAll =
      'for (let i = 0; i < 300; i++) jobs.push(vault.registry.audited(async (_tx, events) => { ' +
      "events.push({ action: 'login', principalId: 'p_' + process.argv[3] + '_' + i, outcome: 'ok' }); }));";
    writeFileSync(
      worker,
      `
import { openVault } from ${JSON.stringify(new URL('../src/store/vault.ts', import.meta.url).pathname)};
const vault = await openVault(process.argv[2]!, { env: {} });
const jobs = [];
${appendAll}
await Promise.all(jobs);
await vault.close();
`,
    );
    const procs = ['a', 'b'].map((tag) =>
      spawn(process.execPath, ['--import', 'tsx', worker, env.dir, tag], { stdio: 'inherit' }),
    );
    const codes = await Promise.all(procs.map(async (p) => (await once(p, 'exit'))[0]));
    assert.deepEqual(codes, [0, 0]);
    const again = await openVault(env.dir, { env: {} });
    const seqs = (await again.db.all<{ seq: number }>('SELECT seq FROM audit_events ORDER BY seq')).map((r) =>
      Number(r.seq),
    );
    await again.close();
    assert.equal(seqs.length, before + 600);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
    );
  } finally {
    await env.cleanup();
  }
});
