import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initVault } from '../store/vault.ts';
import { Ledger } from './log.ts';
import { Checkpointer } from './checkpointer.ts';
import { noteKeyFromSeed, parseSignerKey } from './signed-note.ts';

test('checkpoints: at most one a second while entries arrive, none while nothing changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-cp-'));
  const { vault, admin } = await initVault(join(dir, 'vault'));
  try {
    let t = Date.parse('2026-11-23T00:00:00Z');
    const cp = new Checkpointer(
      vault.db,
      new Ledger(vault.db),
      parseSignerKey(noteKeyFromSeed('t/log', Buffer.alloc(32, 4)).signerKey),
      { now: () => new Date(t) },
    );
    const append = () =>
      vault.registry.audited(
        async (_tx, ev) => void ev.push({ action: 'login', principalId: admin.id, outcome: 'ok' }),
      );
    assert.equal((await cp.tick()).signed, true);
    assert.equal((await cp.tick()).signed, false); // nothing new
    await append();
    t += 300;
    assert.equal((await cp.tick()).signed, false); // new entries, but within the second
    t += 800;
    const r = await cp.tick();
    assert.equal(r.signed, true);
    t += 5000;
    assert.equal((await cp.tick()).signed, false); // a minute of quiet signs nothing
    const sizes = (await vault.db.all<{ size: number }>('SELECT size FROM ledger_checkpoints ORDER BY size')).map((x) =>
      Number(x.size),
    );
    assert.equal(sizes.length, 2);
    assert.equal(sizes[1], r.size);
  } finally {
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
