/**
 * SQLite through better-sqlite3 (synchronous, one connection), in WAL mode. Work is serialised with
 * a queue: while a transaction is open, other callers wait, so an async transaction never
 * interleaves with another caller's statements on the same connection.
 *
 * Group commit: the transactions that queue up while one runs are run together in one
 * BEGIN … COMMIT, each in a savepoint of its own (one that fails rolls back alone), and every
 * caller is answered only after the shared commit is durable.
 *
 * Durability off the event loop: with synchronous=FULL, SQLite syncs the WAL inside COMMIT, and
 * better-sqlite3 being synchronous, the whole process waited for the disk at every commit. Here the
 * connection runs synchronous=NORMAL — which in WAL mode differs from FULL only in that sync of the
 * WAL after each commit (sqlite.org/pragma.html#pragma_synchronous) — and the vault makes that sync
 * itself, an fdatasync of the WAL on libuv's thread pool, before it answers any caller of the
 * commits it covers. One sync covers every commit made before it started, so they coalesce.
 * Checkpoints, too, run off the event loop (wal-checkpoints.ts).
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import Database from 'better-sqlite3';
import type { Db, Param, Row } from '../db.ts';
import { WalCheckpoints } from './wal-checkpoints.ts';
import { storeError } from './store-errors.ts';

type Statement = Database.Statement<unknown[], Row>;

interface PendingTx {
  readonly fn: (tx: Db) => Promise<unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/** Reads on reader connections since the last yield to the event loop (see #read). */
let readsSinceYield = 0;

/** Transactions one commit may carry. */
const GROUP_LIMIT = 256;

/** State shared by the connection and the transaction handles made from it. */
class Connection {
  readonly db: Database.Database;
  /** A second, read-only connection for reads outside transactions (file databases only). */
  readonly reader: Database.Database | undefined;
  readonly stmts = new Map<string, Statement>();
  readonly readStmts = new Map<string, Statement>();
  queue: Promise<unknown> = Promise.resolve();
  readonly pending: PendingTx[] = [];
  scheduled = false;
  /** The WAL, synced after commits (file databases only). */
  readonly walPath: string | undefined;
  wal: FileHandle | undefined;
  /** Commits made, and how many of them are known to be on disk. */
  commits = 0;
  synced = 0;
  /** Settles when the sync in flight ends (undefined: none in flight). */
  syncEnd: Promise<void> | undefined;
  readonly waiters: { upTo: number; resolve: () => void; reject: (e: unknown) => void }[] = [];

  readonly checkpoints: WalCheckpoints | undefined;

  constructor(db: Database.Database, reader?: Database.Database, walPath?: string, checkpoints?: WalCheckpoints) {
    this.db = db;
    this.reader = reader;
    this.walPath = walPath;
    this.checkpoints = checkpoints;
  }

  /** Resolves once every commit made so far is on disk. */
  durable(): Promise<void> {
    if (!this.walPath || this.synced >= this.commits) return Promise.resolve();
    const upTo = this.commits;
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
    if (!this.syncEnd) void this.#sync();
    return p;
  }

  async #sync(): Promise<void> {
    let ended!: () => void;
    this.syncEnd = new Promise((r) => (ended = r));
    while (this.synced < this.commits && this.waiters.length > 0) {
      const upTo = this.commits;
      let error: unknown;
      try {
        this.wal ??= await openFile(this.walPath!, 'r');
        await this.wal.datasync();
        this.synced = upTo;
      } catch (e) {
        // No WAL yet: nothing has been written, so nothing is waiting for the disk.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !this.wal) this.synced = upTo;
        else error = storeError(e);
      }
      const settled = this.waiters.filter((w) => w.upTo <= upTo);
      this.waiters.splice(0, this.waiters.length, ...this.waiters.filter((w) => w.upTo > upTo));
      // A failed sync fails its callers (their commits may not survive a crash): fail closed.
      for (const w of settled)
        if (error) w.reject(error);
        else w.resolve();
    }
    this.syncEnd = undefined;
    ended();
  }
}

class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  readonly #c: Connection;
  readonly #db: Database.Database;
  /** True for the handle given to a transaction's function: its statements run at once. */
  readonly #inTx: boolean;

  constructor(c: Connection, inTx: boolean) {
    this.#c = c;
    this.#db = c.db;
    this.#inTx = inTx;
  }

  #stmt(sql: string): Statement {
    let s = this.#c.stmts.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      if (this.#c.stmts.size > 500) this.#c.stmts.clear();
      this.#c.stmts.set(sql, s);
    }
    return s;
  }

  /** Outside a transaction, waits for any open one to finish first. */
  #serial<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#inTx) return Promise.resolve().then(fn);
    const p = this.#c.queue.then(fn);
    this.#c.queue = p.catch(() => undefined);
    return p;
  }

  /**
   * Reads outside a transaction go to the reader connection at once: in WAL mode it sees the last
   * committed state and never waits for the writer, so the requests that then write can gather
   * into one group commit instead of queueing one behind another.
   */
  #read<T>(sql: string, run: (s: Statement) => T): Promise<T> {
    const reader = this.#c.reader;
    if (this.#inTx || !reader) return this.#serial(() => wrap(() => run(this.#stmt(sql))));
    // While transactions wait for their group, a read waits for that group too: a loop of reads
    // (an export, say) never starves the writers.
    // And every so many reads yield to the event loop, so that no loop of reads, on any
    // connection of this process, holds back a group waiting for its turn (setImmediate).
    const c = this.#c;
    const ready =
      c.pending.length > 0
        ? c.queue
        : ++readsSinceYield >= 64
          ? new Promise<void>((r) => setImmediate(r))
          : Promise.resolve();
    if (readsSinceYield >= 64) readsSinceYield = 0;
    return ready.then(() =>
      wrap(() => {
        let s = c.readStmts.get(sql);
        if (!s) {
          s = reader.prepare(sql);
          if (c.readStmts.size > 500) c.readStmts.clear();
          c.readStmts.set(sql, s);
        }
        return run(s);
      }),
    );
  }

  all<T extends Row>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return this.#read(sql, (s) => s.all(...params) as T[]);
  }

  get<T extends Row>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return this.#read(sql, (s) => s.get(...params) as T | undefined);
  }

  run(sql: string, params: readonly Param[] = []): Promise<number> {
    return this.#write(() => this.#stmt(sql).run(...params).changes);
  }

  /**
   * A write. Outside a transaction it waits for the write lock (whenUnlocked) and commits on its
   * own, and its caller waits until that commit is durable.
   */
  async #write<T>(fn: () => T): Promise<T> {
    if (this.#inTx) return this.#serial(() => wrap(fn));
    const out = await this.#serial(() => whenUnlocked(fn));
    this.#c.commits++;
    await this.#c.durable();
    return out;
  }

  durable(): Promise<void> {
    return this.#c.durable();
  }

  insertMany(sql: string, rows: readonly (readonly Param[])[], suffix = ''): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    // One prepared single-row statement run per row: with better-sqlite3 this is faster than
    // multi-row VALUES lists, whose parameters must be flattened and spread into each call.
    return this.#write(() => {
      const s = this.#stmt(`${sql} (${new Array(rows[0]!.length).fill('?').join(',')}) ${suffix}`);
      for (const r of rows) s.run(...r);
    });
  }

  exec(sql: string): Promise<void> {
    return this.#write(() => void this.#db.exec(sql));
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.#inTx) return fn(this);
    const c = this.#c;
    const out = new Promise<T>((resolve, reject) =>
      c.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject }),
    );
    if (!c.scheduled) {
      c.scheduled = true;
      // Wait one turn of the event loop: the requests read in the same turn join this group. While
      // a sync is in flight, wait for it instead: the transactions that arrive meanwhile join one
      // larger group, whose commit the next sync covers (under load: fewer, fuller commits and syncs).
      c.queue = c.queue.then(() => c.syncEnd ?? new Promise((r) => setImmediate(r))).then(() => this.#commitGroup());
    }
    return out;
  }

  /** Runs the transactions waiting now as one group: one BEGIN, a savepoint each, one COMMIT. */
  async #commitGroup(): Promise<void> {
    const c = this.#c;
    c.scheduled = false;
    const group = c.pending.splice(0, GROUP_LIMIT);
    if (c.pending.length > 0 && !c.scheduled) {
      c.scheduled = true;
      c.queue = c.queue.then(() => this.#commitGroup());
    }
    const tx = new SqliteDb(c, true);
    const done: { p: PendingTx; ok: boolean; value: unknown }[] = [];
    try {
      await whenUnlocked(() => this.#db.exec('BEGIN IMMEDIATE'));
    } catch (e) {
      for (const p of group) p.reject(e);
      return;
    }
    const savepoint = this.#stmt('SAVEPOINT tx'),
      release = this.#stmt('RELEASE tx');
    for (const [i, p] of group.entries()) {
      savepoint.run();
      try {
        const value = await p.fn(tx);
        release.run();
        done.push({ p, ok: true, value });
      } catch (e) {
        if (!this.#db.inTransaction) {
          // SQLite rolled the whole transaction back (e.g. a full disk): nothing of the group
          // holds, and the rest must not run outside a transaction.
          for (const d of done) d.p.reject(d.ok ? e : d.value);
          p.reject(e);
          for (const rest of group.slice(i + 1)) rest.reject(e);
          return;
        }
        this.#db.exec('ROLLBACK TO tx');
        this.#db.exec('RELEASE tx');
        done.push({ p, ok: false, value: e });
      }
    }
    try {
      wrap(() => this.#db.exec('COMMIT'));
    } catch (e) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      // Nothing of the group is durable: every caller fails (fail closed).
      for (const d of done) d.p.reject(d.ok ? e : d.value);
      return;
    }
    // Answered once the commit is on disk; meanwhile the next group may run.
    c.commits++;
    c.durable().then(
      () => {
        for (const d of done) (d.ok ? d.p.resolve : d.p.reject)(d.value);
      },
      (e: unknown) => {
        for (const d of done) d.p.reject(d.ok ? e : d.value);
      },
    );
  }

  async close(): Promise<void> {
    await this.#c.queue;
    await this.#c.durable().catch(() => undefined);
    await this.#c.wal?.close();
    await this.#c.checkpoints?.close();
    this.#c.reader?.close();
    this.#db.close();
  }
}

/**
 * Runs a statement that needs the write lock. While a checkpoint holds it (wal-checkpoints.ts) or
 * another process writes, SQLite answers SQLITE_BUSY at once (the writer's busy_timeout is 0) and
 * this waits on a timer, up to five seconds, instead of sleeping in SQLite's busy handler, which
 * would stop the event loop.
 */
async function whenUnlocked<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + 5000;
  for (let wait = 1; ; wait = Math.min(2 * wait, 50)) {
    try {
      return fn();
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw storeError(e);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    // SQLite messages can quote values (constraint failures name columns, not values, but be safe).
    throw storeError(e);
  }
}

/** `walRestartFrames`: see wal-checkpoints.ts (tests use a small one). */
export function openSqlite(file: string, opts: { walRestartFrames?: number } = {}): Db {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (e) {
    throw storeError(e);
  }
  db.pragma('journal_mode = WAL');
  // NORMAL plus the vault's own sync of the WAL before answering (see the top of this file) is
  // FULL's durability across power loss without blocking the event loop on the disk.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Lock waits happen on a timer (whenUnlocked), never in SQLite's busy handler.
  db.pragma('busy_timeout = 0');
  // The writer's page cache, 16 MiB: the blind index outgrows 16 or 32 MiB alike (a 100,000-record
  // import ran as fast with 16 and peaked ~15 MB lower), and the read path's writes (time-ordered
  // disclosures, the ledger) touch few pages. Reads have their own connection and cache.
  db.pragma('cache_size = -16384');
  // Statement journals and sorts in temporary files (the OS caches them), not in the heap: an
  // import's publication moves ~140,000 blind-index digests a statement, whose journal and sort
  // took ~40 MB of memory. They hold database pages, sealed like the file itself.
  db.pragma('temp_store = FILE');
  let reader: Database.Database | undefined;
  if (file !== ':memory:' && file !== '') {
    reader = new Database(file, { readonly: true });
    reader.pragma('busy_timeout = 5000');
    reader.pragma('cache_size = -32768');
  }
  return new SqliteDb(
    new Connection(
      db,
      reader,
      reader ? `${file}-wal` : undefined,
      reader ? new WalCheckpoints(db, file, { restartFrames: opts.walRestartFrames }) : undefined,
    ),
    false,
  );
}
