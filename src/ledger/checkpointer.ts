/**
 * Integrates the ledger and signs checkpoints in the background: at most one a second while
 * entries arrive, none while nothing changes, each sent to the witnesses. Several processes may
 * run one against the same database: the last signing time is read from the database, and a
 * checkpoint of a size already signed is never signed again (the tree is append-only, so two
 * checkpoints can never disagree). With a `lease` (several servers on one PostgreSQL, ADR 0027)
 * only the server holding it integrates and signs: exactly one signer at a time, and when it dies
 * the next server to ask takes the lease over and goes on from the last checkpoint (its witnesses
 * check consistency from the size they last cosigned, whoever signed it).
 */
import type { Db } from '../store/db.ts';
import type { Ledger } from './log.ts';
import type { NoteSigner } from './signed-note.ts';
import { submitToWitnesses, type WitnessConfig } from './witness-client.ts';

export interface CheckpointerOptions {
  readonly intervalMs?: number;
  readonly witnesses?: readonly WitnessConfig[];
  readonly now?: () => Date;
  /** Whether this process may sign now (takes or keeps the lease); absent: always. */
  readonly lease?: () => Promise<boolean>;
  /** Called when this process takes the lease (logs). */
  readonly onLead?: () => void;
}

/** What the last step did: when it ran, whether it signed, the tree's size, or the code of its failure. */
export interface CheckpointerRun {
  readonly at: string;
  readonly signed: boolean;
  readonly size: number | null;
  readonly error: string | null;
}

export class Checkpointer {
  readonly #db: Db;
  readonly #ledger: Ledger;
  readonly #signer: NoteSigner;
  readonly #interval: number;
  readonly #witnesses: readonly WitnessConfig[];
  readonly #now: () => Date;
  readonly #lease: (() => Promise<boolean>) | undefined;
  readonly #onLead: (() => void) | undefined;
  #leading = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #last: CheckpointerRun | undefined;
  #lastSigned: string | undefined;

  constructor(db: Db, ledger: Ledger, signer: NoteSigner, opts: CheckpointerOptions = {}) {
    this.#db = db;
    this.#ledger = ledger;
    this.#signer = signer;
    this.#interval = opts.intervalMs ?? 1000;
    this.#witnesses = opts.witnesses ?? [];
    this.#now = opts.now ?? (() => new Date());
    this.#lease = opts.lease;
    this.#onLead = opts.onLead;
  }

  /** Whether this process signs (holds the lease, or needs none). */
  get leading(): boolean {
    return this.#lease ? this.#leading : true;
  }

  /** The last step, and when this process last signed a checkpoint (for the ledger's health). */
  get lastRun(): (CheckpointerRun & { readonly lastSignedAt: string | null }) | undefined {
    return this.#last && { ...this.#last, lastSignedAt: this.#lastSigned ?? null };
  }

  /** One step: sign if entries arrived and the last checkpoint is at least an interval old. */
  async tick(): Promise<{ signed: boolean; size: number }> {
    const at = this.#now().toISOString();
    try {
      const r = await this.#step();
      this.#last = { at, signed: r.signed, size: r.size, error: null };
      if (r.signed) this.#lastSigned = at;
      return r;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      this.#last = {
        at,
        signed: false,
        size: null,
        error: typeof code === 'string' && code.startsWith('ERR_') ? code : 'ERR_INTERNAL',
      };
      throw e;
    }
  }

  async #step(): Promise<{ signed: boolean; size: number }> {
    if (this.#lease) {
      const leading = await this.#lease();
      if (leading && !this.#leading) this.#onLead?.();
      this.#leading = leading;
      // A follower neither integrates nor signs: the leader does both.
      if (!leading) return { signed: false, size: (await this.#ledger.state()).size };
    }
    const size = await this.#ledger.integrate();
    const last = await this.#db.get<{ size: number; signed_at: string }>(
      'SELECT size, signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
    );
    const now = this.#now();
    if (last && (Number(last.size) >= size || now.getTime() - Date.parse(last.signed_at) < this.#interval))
      return { signed: false, size };
    const { note } = await this.#ledger.checkpoint(this.#signer.name, this.#signer, now);
    if (this.#witnesses.length > 0) await submitToWitnesses(this.#db, this.#ledger, note, this.#witnesses);
    return { signed: true, size };
  }

  /**
   * Ticks ten times an interval: each integrates the entries of the last 100 ms, a few hundred
   * hashes, instead of a second's worth at once (which held the event loop for ~10 ms under load
   * and showed in the read path's p99); a checkpoint is still signed at most once an interval.
   */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(
      () => {
        this.#running = this.#running.then(() => this.tick()).catch(() => undefined);
      },
      Math.max(10, this.#interval / 10),
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
