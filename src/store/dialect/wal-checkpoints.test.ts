import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from './sqlite.ts';

test(
  'WAL checkpoints run on their own thread: pages reach the database while it is open, ' +
    'and the WAL stays bounded under steady writes',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-wal-'));
    const file = join(dir, 'db.sqlite');
    const db = openSqlite(file, { walRestartFrames: 2000 });
    try {
      await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)');
      const start = statSync(file).size;
      // Two seconds of small transactions, never pausing: PASSIVE checkpoints alone would let the WAL
      // grow to all of it; the RESTART past 2,000 frames keeps it near 8 MB plus what 100 ms bring.
      let walMax = 0,
        rows = 0;
      for (const t0 = Date.now(); Date.now() - t0 < 2000; rows += 25) {
        await Promise.all(
          Array.from({ length: 25 }, () =>
            db.transaction((tx) => tx.run('INSERT INTO t (b) VALUES (?)', [Buffer.alloc(8000, rows % 251)])),
          ),
        );
        if (existsSync(`${file}-wal`)) walMax = Math.max(walMax, statSync(`${file}-wal`).size);
      }
      const written = rows * 8000;
      assert.ok(statSync(file).size > start + written / 2, 'pages reached the database file while it was open');
      assert.ok(
        walMax < 64_000_000 && walMax < written / 4,
        `the WAL stayed bounded (${(walMax / 1e6).toFixed(1)} MB at most for ${(written / 1e6).toFixed(0)} MB written)`,
      );
      assert.equal(Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n), rows);
    } finally {
      await db.close();
    }
    assert.ok(!existsSync(`${file}-wal`), 'the WAL is gone after close');
    rmSync(dir, { recursive: true, force: true });
  },
);
