/**
 * The one database interface of the vault. SQL is written once, with `?` placeholders, in the
 * common subset of SQLite and PostgreSQL; each dialect (./dialect/) adapts placeholders and types,
 * and ./dialect/open-db.ts opens the one a configuration names. Timestamps are ISO 8601 UTC strings
 * (sortable as text); binary values are Buffers. Types only: the dialects import this file.
 */

export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | bigint | Buffer | null;
export type Row = Record<string, unknown>;

export interface Db {
  readonly dialect: Dialect;
  all<T extends Row = Row>(sql: string, params?: readonly Param[]): Promise<T[]>;
  get<T extends Row = Row>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  /** Runs a statement; returns the number of rows changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
  /**
   * Inserts many rows: `sql` is `INSERT INTO t (a, b) VALUES` without the tuples; each row has one
   * value per column. An optional `suffix` follows the tuples (e.g. `ON CONFLICT DO NOTHING`).
   */
  insertMany(sql: string, rows: readonly (readonly Param[])[], suffix?: string): Promise<void>;
  /** Runs DDL or several statements without parameters. */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction: all of it commits, or none. Nested calls join the outer one. It
   * resolves once the commit is durable.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Resolves once every commit made so far is on disk. A response waits for it, so that nothing
   * it shows (read by another request, say) can be lost in a crash after it was sent.
   */
  durable(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseConfig {
  readonly kind: Dialect;
  /** SQLite: the file path. */
  readonly file?: string;
  /** PostgreSQL: a connection string. */
  readonly url?: string;
  /** PostgreSQL: the schema to use (created if missing), for isolation of tenants or tests. */
  readonly schema?: string;
}
