import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from './sqlite.ts';

test('WAL checkpoints run on their own thread while the database is open; closing leaves no WAL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-wal-'));
  const file = join(dir, 'db.sqlite');
  const db = openSqlite(file);
  try {
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)');
    const start = statSync(file).size;
    // ~8 MB in 40 transactions: the writer itself never checkpoints (wal_autocheckpoint = 0).
    for (let i = 0; i < 40; i++) await db.transaction((tx) => tx.insertMany('INSERT INTO t (b) VALUES', Array.from({ length: 50 }, () => [Buffer.alloc(4000, i)])));
    let grown = false;
    for (let waited = 0; waited < 5000 && !grown; waited += 50) {
      grown = statSync(file).size > start + 6_000_000;
      if (!grown) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(grown, 'pages reached the database file while it was open');
    const n = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t');
    assert.equal(Number(n!.n), 2000);
  } finally {
    await db.close();
  }
  assert.ok(!existsSync(`${file}-wal`), 'the WAL is gone after close');
  rmSync(dir, { recursive: true, force: true });
});
