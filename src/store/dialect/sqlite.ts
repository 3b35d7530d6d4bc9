/**
 * SQLite through better-sqlite3 (synchronous, one connection), in WAL mode. Transactions are
 * serialised with a queue: while one is open, other callers wait, so an async transaction never
 * interleaves with another caller's statements on the same connection.
 */
import Database from 'better-sqlite3';
import type { Db, Param, Row } from '../db.ts';
import { TracevaultError } from '../../errors.ts';

type Statement = Database.Statement<unknown[], Row>;

/** State shared by the connection and the transaction handles made from it. */
class Connection {
  readonly db: Database.Database;
  readonly stmts = new Map<string, Statement>();
  queue: Promise<unknown> = Promise.resolve();

  constructor(db: Database.Database) {
    this.db = db;
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
      s = this.#db.prepare(sql) as Statement;
      if (this.#c.stmts.size > 500) this.#c.stmts.clear();
      this.#c.stmts.set(sql, s);
    }
    return s;
  }

  /** Outside a transaction, waits for any open one to finish first. */
  #serial<T>(fn: () => T): Promise<T> {
    if (this.#inTx) return Promise.resolve().then(fn);
    const p = this.#c.queue.then(fn);
    this.#c.queue = p.catch(() => undefined);
    return p;
  }

  all<T extends Row>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return this.#serial(() => wrap(() => this.#stmt(sql).all(...params) as T[]));
  }

  get<T extends Row>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return this.#serial(() => wrap(() => this.#stmt(sql).get(...params) as T | undefined));
  }

  run(sql: string, params: readonly Param[] = []): Promise<number> {
    return this.#serial(() => wrap(() => this.#stmt(sql).run(...params).changes));
  }

  insertMany(sql: string, rows: readonly (readonly Param[])[], suffix = ''): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const cols = rows[0]!.length;
    const one = `(${new Array(cols).fill('?').join(',')})`;
    // SQLite allows 32,766 parameters a statement; chunk at a fixed size so statements are reused.
    const chunk = Math.max(1, Math.min(200, Math.floor(32000 / cols)));
    return this.#serial(() =>
      wrap(() => {
        for (let i = 0; i < rows.length; i += chunk) {
          const part = rows.slice(i, i + chunk);
          const s = this.#stmt(`${sql} ${new Array(part.length).fill(one).join(',')} ${suffix}`);
          s.run(...part.flat());
        }
      }),
    );
  }

  exec(sql: string): Promise<void> {
    return this.#serial(() => wrap(() => void this.#db.exec(sql)));
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.#inTx) return fn(this);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const before = this.#c.queue;
    this.#c.queue = before.then(() => mine);
    await before;
    try {
      wrap(() => this.#db.exec('BEGIN IMMEDIATE'));
      try {
        const out = await fn(new SqliteDb(this.#c, true));
        wrap(() => this.#db.exec('COMMIT'));
        return out;
      } catch (e) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    await this.#c.queue;
    this.#db.close();
  }
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    // SQLite messages can quote values (constraint failures name columns, not values, but be safe).
    throw new TracevaultError('ERR_STORAGE', {}, { cause: e });
  }
}

export function openSqlite(file: string): Db {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (e) {
    throw new TracevaultError('ERR_STORAGE', {}, { cause: e });
  }
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode is durable across application crashes; FULL adds durability across power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A 32 MiB page cache: blind-index keys are random, and their B-tree should stay in memory.
  db.pragma('cache_size = -32768');
  db.pragma('temp_store = MEMORY');
  return new SqliteDb(new Connection(db), false);
}
