/**
 * The ledger as the interfaces serve it. Its hashes are public: the checkpoint, the hash tiles and
 * the inclusion and consistency proofs (c2sp tlog-tiles), which with salted leaves (ledger/log.ts)
 * show that the log only grows and never what an entry says. Its entries — entry bundles, and
 * receipts (c2sp tlog-proof), which carry their entry — name staff and what they did, so they go
 * only to a principal the policy lets audit (`audit` on the ledger: auditors, DPOs, investigators).
 * A refusal is a ledger entry (gate.ts); a permitted read writes none, as alerts are read.
 */
import type { Ledger } from '../ledger/log.ts';
import { receiptFor } from '../ledger/log.ts';
import { ledgerRead, type ReadResponse } from '../ledger/read-api.ts';
import type { RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import { LedgerHealthChecks, type CheckpointerView, type LedgerHealth, type Verification } from './ledger-health.ts';

export class LedgerReads {
  readonly #gate: Gate;
  readonly #ledger: Ledger | undefined;
  readonly #health: LedgerHealthChecks;

  constructor(gate: Gate, ledger: Ledger | undefined) {
    this.#gate = gate;
    this.#ledger = ledger;
    this.#health = new LedgerHealthChecks(gate);
  }

  /** The background checkpointer whose last step the health reports (tracevault serve attaches it). */
  watch(checkpointer: CheckpointerView): void {
    this.#health.watch(checkpointer);
  }

  /** Entries, checkpoint, witnesses and checkpointer at a glance, for those who may audit. */
  health(ctx: RequestContext): Promise<LedgerHealth> {
    return this.#health.health(ctx);
  }

  /** Verifies the whole ledger within a time budget, for those who may audit (ledger-health.ts). */
  verify(ctx: RequestContext): Promise<Verification> {
    return this.#health.verify(ctx);
  }

  #need(): Ledger {
    if (!this.#ledger) throw new Error('Services.open was given no ledger');
    return this.#ledger;
  }

  /** A public read path relative to /v1/ledger/: checkpoint, hash tiles, proofs (entry bundles are not found). */
  read(path: string, params: URLSearchParams): Promise<ReadResponse> {
    return ledgerRead(this.#gate.vault.db, this.#need(), path, params);
  }

  /** An entry bundle (`tile/entries/<N>[.p/<W>]`), for those who may audit. */
  async entries(ctx: RequestContext, path: string): Promise<ReadResponse> {
    await this.#gate.authorise(ctx, 'audit', { type: 'Api', area: 'ledger' });
    return ledgerRead(this.#gate.vault.db, this.#need(), path, new URLSearchParams(), { entries: true });
  }

  /** An offline-verifiable receipt for entry `index`, with the entry: for those who may audit. */
  async receipt(ctx: RequestContext, index: number): Promise<string> {
    await this.#gate.authorise(ctx, 'audit', { type: 'Api', area: 'ledger' });
    return receiptFor(this.#gate.vault.db, this.#need(), index);
  }
}
