/**
 * What several servers on one PostgreSQL tell each other (issue 23, ADR 0027), over one dedicated
 * connection per server:
 *
 * - notifications (`LISTEN`/`NOTIFY` on one channel, payloads `schema.tenant:kind:id`): a principal
 *   disabled or a session closed on one server reaches every other within milliseconds, which
 *   drops its cached authentications. While the connection is down nothing can be heard, so
 *   `live` is false and callers must not trust their caches (fail closed, not a timeout).
 * - a lease (a session-level advisory lock, `pg_try_advisory_lock`): one server at a time holds
 *   it, the checkpointer's leader. PostgreSQL releases it when that server's connection ends, so
 *   a server killed with `kill -9` hands it on as soon as another asks.
 *
 * Advisory locks and channels are per database, not per schema: both carry the schema and the
 * tenant, so that two vaults in one database (tests, tenants) never take each other's turn.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

const CHANNEL = 'tracevault';
/** The first key of the checkpointer's lease; the second is the vault's scope (pg_try_advisory_lock(int, int)). */
const CHECKPOINTER_LEASE = 727277;
const RECONNECT_MS = 500;

export type NoticeKind = 'principal' | 'session';
export type NoticeListener = (kind: NoticeKind, id: string) => void;

export interface CoordinationConfig {
  readonly url: string;
  readonly schema?: string;
  readonly tenantId: string;
}

export class PgCoordination {
  readonly #config: CoordinationConfig;
  /** The vault's scope in the database: its schema and tenant (channels and locks are database-wide). */
  readonly #scope: string;
  readonly #tenantKey: number;
  readonly #listeners: NoticeListener[] = [];
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #leading = false;
  #closed = false;

  private constructor(config: CoordinationConfig) {
    this.#config = config;
    this.#scope = `${config.schema ?? 'public'}.${config.tenantId}`;
    this.#tenantKey = createHash('sha256').update(this.#scope).digest().readInt32BE(0);
  }

  /** Connects and listens; reconnects by itself whenever the connection drops. */
  static async open(config: CoordinationConfig): Promise<PgCoordination> {
    const c = new PgCoordination(config);
    try {
      await c.#connect();
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  /** Whether notifications are being heard now. */
  get live(): boolean {
    return this.#client !== undefined;
  }

  /** Whether this server holds the checkpointer's lease. */
  get leading(): boolean {
    return this.#leading && this.live;
  }

  subscribe(fn: NoticeListener): void {
    this.#listeners.push(fn);
  }

  /** Tells every server of the vault (this one too). */
  async publish(kind: NoticeKind, id: string): Promise<void> {
    const client = this.#client;
    if (!client) return;
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, `${this.#scope}:${kind}:${id}`]);
  }

  /**
   * Takes the checkpointer's lease if free, or keeps it; false when another server holds it or the
   * connection is down (a lease is never assumed: it is the lock on a live connection).
   */
  async lead(): Promise<boolean> {
    const client = this.#client;
    if (!client) return (this.#leading = false);
    if (this.#leading) return true;
    try {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        CHECKPOINTER_LEASE,
        this.#tenantKey,
      ]);
      this.#leading = r.rows[0]?.ok === true;
    } catch {
      this.#leading = false;
    }
    return this.#leading;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    this.#leading = false;
    await client?.end().catch(() => undefined);
  }

  #connect(): Promise<void> {
    return (this.#connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.#config.url,
        ...(this.#config.schema ? { options: `-c search_path=${this.#config.schema}` } : {}),
      });
      const lost = () => {
        if (this.#client !== client) return;
        this.#client = undefined;
        this.#leading = false;
        client.end().catch(() => undefined);
        this.#retry();
      };
      client.on('error', lost);
      client.on('end', lost);
      client.on('notification', (n) => this.#heard(n.payload ?? ''));
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        if (this.#closed) await client.end();
        else this.#client = client;
      } catch (e) {
        client.end().catch(() => undefined);
        this.#retry();
        throw e;
      } finally {
        this.#connecting = undefined;
      }
    })());
  }

  #retry(): void {
    if (this.#closed) return;
    setTimeout(() => void this.#connect().catch(() => undefined), RECONNECT_MS).unref();
  }

  #heard(payload: string): void {
    const [scope, kind, ...rest] = payload.split(':');
    if (scope !== this.#scope || (kind !== 'principal' && kind !== 'session')) return;
    for (const fn of this.#listeners) fn(kind, rest.join(':'));
  }
}
