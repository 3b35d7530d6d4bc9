import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initVault } from './vault.ts';

test('SQLite group commit: concurrent transactions share commits; one that fails rolls back alone; seq stays gap-free', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-group-'));
  const { vault } = await initVault(join(dir, 'vault'));
  try {
    const before = Number((await vault.db.get<{ n: number }>('SELECT MAX(seq) AS n FROM audit_events'))!.n);
    const ops = Array.from({ length: 300 }, (_, i) =>
      vault.registry.audited(async (tx, events) => {
        await tx.run('INSERT INTO meta (key, value) VALUES (?, ?)', [`k${i}`, 'v']);
        events.push({ action: 'login', principalId: `p_${i}`, outcome: 'ok' });
        if (i === 150) throw new Error('this one fails');
        return i;
      }),
    );
    const results = await Promise.allSettled(ops);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
    assert.equal((results[150] as PromiseRejectedResult).reason.message, 'this one fails');
    // The failed one left nothing: neither its write nor its event.
    assert.equal(await vault.db.get("SELECT 1 AS x FROM meta WHERE key = 'k150'"), undefined);
    assert.ok(await vault.db.get("SELECT 1 AS x FROM meta WHERE key = 'k151'"));
    const seqs = (await vault.db.all<{ seq: number; principal_id: string }>('SELECT seq, principal_id FROM audit_events WHERE seq > ? ORDER BY seq', [before]));
    assert.equal(seqs.length, 299);
    assert.deepEqual(seqs.map((r) => Number(r.seq)), seqs.map((_, i) => before + i + 1));
    assert.ok(!seqs.some((r) => r.principal_id === 'p_150'));
  } finally {
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
