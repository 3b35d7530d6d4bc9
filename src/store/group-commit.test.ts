import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initVault } from './vault.ts';
import { openSqlite } from './dialect/sqlite.ts';
import { open } from 'node:fs/promises';
import Database from 'better-sqlite3';

test(
  'SQLite group commit: concurrent transactions share commits; one that fails rolls back alone; ' +
    'seq stays gap-free',
  async () => {
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
      const seqs = await vault.db.all<{ seq: number; principal_id: string }>(
        'SELECT seq, principal_id FROM audit_events WHERE seq > ? ORDER BY seq',
        [before],
      );
      assert.equal(seqs.length, 299);
      assert.deepEqual(
        seqs.map((r) => Number(r.seq)),
        seqs.map((_, i) => before + i + 1),
      );
      assert.ok(!seqs.some((r) => r.principal_id === 'p_150'));
    } finally {
      await vault.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'SQLite commits are answered only after the WAL is synced, off the event loop; ' + 'a failed sync fails its callers',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-sync-'));
    const file = join(dir, 'db.sqlite');
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const original = proto.datasync;
    const log: string[] = [];
    let fail = false;
    proto.datasync = async function (this: unknown) {
      log.push('sync start');
      await new Promise((r) => setTimeout(r, 20)); // a slow disk
      if (fail) throw new Error('EIO');
      await original.call(this);
      log.push('sync done');
    };
    const db = openSqlite(file);
    try {
      await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
      log.length = 0;
      // While the disk is slow the event loop stays free, and the transactions that queue meanwhile
      // share commits and syncs.
      let ticks = 0;
      const timer = setInterval(() => ticks++, 2);
      const done = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          db
            .transaction(async (tx) => {
              await tx.run('INSERT INTO t (v) VALUES (?)', [`v${i}`]);
              return i;
            })
            .then((v) => {
              log.push('answered');
              return v;
            }),
        ),
      );
      clearInterval(timer);
      assert.equal(done.length, 50);
      assert.ok(ticks >= 5, `the event loop ran while the WAL was synced (${ticks} ticks)`);
      assert.equal(log[0], 'sync start');
      assert.ok(log.indexOf('answered') > log.indexOf('sync done'), 'no caller is answered before a sync completes');
      assert.ok(log.filter((l) => l === 'sync start').length <= 5, 'syncs are shared');
      // A sync that fails fails the callers whose commit it should have made durable.
      fail = true;
      await assert.rejects(
        db.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('lost?')")),
        { code: 'ERR_STORAGE' },
      );
      fail = false;
      await db.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('next')"));
      assert.equal(Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n), 52);
    } finally {
      proto.datasync = original;
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'SQLite: transactions that arrive while a sync is in flight wait for it and commit as one group, ' +
    'covered by one more sync',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-sync-group-'));
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const original = proto.datasync;
    let syncs = 0;
    let inFlight: (() => void) | undefined;
    proto.datasync = async function (this: unknown) {
      syncs++;
      await new Promise<void>((r) => {
        inFlight = r;
        setTimeout(r, 20);
      });
      await original.call(this);
    };
    const db = openSqlite(join(dir, 'db.sqlite'));
    try {
      await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
      syncs = 0;
      inFlight = undefined;
      const first = db.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('first')"));
      while (!inFlight) await new Promise((r) => setImmediate(r)); // its sync has started
      const later = Array.from({ length: 30 }, (_, i) =>
        db.transaction((tx) => tx.run('INSERT INTO t (v) VALUES (?)', [`v${i}`])),
      );
      // A few turns later, with the first sync still in flight, they have not committed: they wait for it.
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      const peek = new Database(join(dir, 'db.sqlite'), { readonly: true });
      assert.equal((peek.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 1);
      peek.close();
      // A write outside a transaction, and a reader, meanwhile: every caller is answered.
      const single = db.run("INSERT INTO t (v) VALUES ('single')");
      await Promise.all([first, ...later, single, db.durable()]);
      assert.equal(Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n), 32);
      assert.ok(syncs <= 3, `the 30 transactions shared a commit and a sync (${syncs} syncs in all)`);
    } finally {
      proto.datasync = original;
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
