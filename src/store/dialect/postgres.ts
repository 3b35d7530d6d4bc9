/**
 * PostgreSQL through node-postgres. `?` placeholders become `$n`; a transaction holds one pooled
 * client from BEGIN to COMMIT. An optional schema isolates a vault (or a test) in a shared database.
 */
import pg from 'pg';
import type { Db, Param, Row } from '../db.ts';
import { TracevaultError } from '../../errors.ts';
import { connectionLost, storeError } from './store-errors.ts';

// BIGINT (int8) as JavaScript numbers: sequence numbers stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

const converted = new Map<string, string>();

function toPg(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (converted.size > 1000) converted.clear();
    converted.set(sql, out);
  }
  return out;
}

interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

class PgDb implements Db {
  readonly dialect = 'postgres' as const;
  readonly #q: Queryable;
  readonly #pool: pg.Pool | undefined;

  constructor(q: Queryable, pool?: pg.Pool) {
    this.#q = q;
    this.#pool = pool;
  }

  async #query(sql: string, params: readonly Param[]): Promise<pg.QueryResult> {
    try {
      return await this.#q.query(toPg(sql), params as unknown[]);
    } catch (e) {
      throw storeError(e);
    }
  }

  async all<T extends Row>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return (await this.#query(sql, params)).rows as T[];
  }

  async get<T extends Row>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return (await this.#query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly Param[] = []): Promise<number> {
    return (await this.#query(sql, params)).rowCount ?? 0;
  }

  async insertMany(sql: string, rows: readonly (readonly Param[])[], suffix = ''): Promise<void> {
    if (rows.length === 0) return;
    const cols = rows[0]!.length;
    // At most 65,535 parameters a statement in the wire protocol.
    const chunk = Math.max(1, Math.min(1000, Math.floor(60000 / cols)));
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      const tuples = part.map(
        (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${r * cols + c + 1}`).join(',')})`,
      );
      try {
        await this.#q.query(`${sql} ${tuples.join(',')} ${suffix}`, part.flat());
      } catch (e) {
        throw storeError(e);
      }
    }
  }

  async exec(sql: string): Promise<void> {
    await this.#query(sql, []);
  }

  /** PostgreSQL makes a commit durable before it returns (synchronous_commit = on). */
  durable(): Promise<void> {
    return Promise.resolve();
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!this.#pool) return fn(this);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw storeError(e);
    }
    // A checked-out client has no listener of pg-pool's: a connection ended by the server between two
    // statements (a restart: 57P01) would be an unhandled 'error' event, which ends the process. Heard
    // here instead; the transaction's next statement fails (ERR_STORE_UNAVAILABLE).
    let ended: Error | undefined;
    const onError = (e: Error) => void (ended = e);
    client.on('error', onError);
    const release = (e?: Error) => {
      client.removeListener('error', onError);
      client.release(e);
    };
    try {
      await client.query('BEGIN').catch((e: unknown) => Promise.reject(storeError(e)));
      const out = await fn(new PgDb(client));
      await client.query('COMMIT').catch((e: unknown) => Promise.reject(storeError(e)));
      release(ended);
      return out;
    } catch (e) {
      // A connection lost mid-transaction is dropped, not handed out again (pg-pool's release(err)).
      const lost = ended ?? (connectionLost(e) ? (e as Error) : undefined);
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      release(lost);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.#pool?.end();
  }
}

export async function openPostgres(url: string, schema?: string): Promise<Db> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new TracevaultError('ERR_BAD_REQUEST', { field: 'schema' });
  const pool = new pg.Pool({
    connectionString: url,
    max: 8,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', () => undefined);
  const db = new PgDb(pool, pool);
  if (schema) await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  return db;
}
