import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initVault } from '../store/vault.ts';
import { loadCity } from '../sim/load.ts';
import { generateCity } from '../synth/city.ts';
import { snapshot } from '../synth/snapshot.ts';
import { Ledger } from './log.ts';
import { findClearValues } from '../../test/helpers/scan.ts';

test('no seeded phone, resident id or name appears in any ledger entry or tile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-ledger-privacy-'));
  const { vault, admin } = await initVault(join(dir, 'vault'));
  try {
    const opts = { seed: 'privacy', families: 200 };
    await loadCity(vault, admin, opts);
    await new Ledger(vault.db).integrate();
    const secrets: string[] = [];
    for (const f of generateCity(opts).families()) {
      const s = snapshot(f);
      for (const k of [
        'motherPhone',
        'fatherPhone',
        'motherResidentId',
        'fatherResidentId',
        'babyResidentId',
        'motherName',
        'fatherName',
        'babyName',
      ]) {
        if (typeof s[k] === 'string') secrets.push(s[k]);
      }
    }
    const entries = (
      await vault.db.all<{ entry: string; record_ref: string | null }>('SELECT entry, record_ref FROM audit_events')
    )
      .map((e) => `${e.entry}\n${e.record_ref}`)
      .join('\n');
    const tiles = (await vault.db.all<{ hashes: Buffer }>('SELECT hashes FROM ledger_tiles')).map((t) => t.hashes);
    assert.ok(entries.length > 10_000 && tiles.length > 0);
    assert.deepEqual(findClearValues(Buffer.from(entries, 'utf8'), secrets), []);
    assert.deepEqual(findClearValues(Buffer.concat(tiles), secrets), []);
    // Record references are keyed hashes: the record id itself is not in the ledger either.
    const ids = (await vault.db.all<{ id: string }>('SELECT id FROM records LIMIT 50')).map((r) => r.id);
    for (const id of ids) assert.ok(!entries.includes(id));
  } finally {
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
