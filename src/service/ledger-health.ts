/**
 * The ledger's health for those who audit it (GET /v1/ledger/health, POST /v1/ledger/verify): how
 * many entries, how many the tree has integrated, the latest signed checkpoint (its size, root and
 * time, and whether the log's key signed it), each configured witness and its cosignature on that
 * checkpoint (valid, and when the witness made it), the background checkpointer's last step, and a
 * verification of the whole ledger (ledger/verify.ts, as `tracevault ledger verify` runs it).
 *
 * A verification rebuilds the tree from every entry, so it runs here within a time budget (20 s;
 * one at a time per process): a ledger too large to finish in time is answered `incomplete` with the
 * entries checked so far, and is verified in full with the command line, which has no budget. The
 * answer names counts, an index and a problem, never what an entry says.
 */
import { TracevaultError } from '../errors.ts';
import { parseCosignerVerifier } from '../ledger/cosignature.ts';
import type { CheckpointerRun } from '../ledger/checkpointer.ts';
import { loadLedgerVerifier } from '../ledger/log-key.ts';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import { openNote, type NoteVerifier } from '../ledger/signed-note.ts';
import { verifyLedger, type LedgerReport } from '../ledger/verify.ts';
import { loadWitnesses } from '../ledger/witness-client.ts';
import type { RequestContext } from './context.ts';
import type { Gate } from './gate.ts';

/** What the health page needs of the background checkpointer (ledger/checkpointer.ts). */
export interface CheckpointerView {
  readonly lastRun: (CheckpointerRun & { readonly lastSignedAt: string | null }) | undefined;
}

export interface WitnessHealth {
  readonly name: string;
  /** In the vault's witnesses.json (false: a witness whose cosignatures are kept but no longer asked). */
  readonly configured: boolean;
  /** The largest checkpoint it cosigned. */
  readonly lastCosignedSize: number | null;
  /** Its cosignature on the latest checkpoint, if any: valid under its key, and the time it gives. */
  readonly onLatest: { readonly valid: boolean; readonly at: string | null } | null;
}

export interface LedgerHealth {
  readonly entries: number;
  readonly integrated: number;
  readonly checkpoint: {
    readonly size: number;
    readonly root: string;
    readonly signedAt: string;
    readonly origin: string;
    /** Signed by the log's key (null when this server has no copy of the key to check with). */
    readonly signatureValid: boolean | null;
    /** Entries written since it was signed. */
    readonly behind: number;
  } | null;
  readonly checkpoints: number;
  readonly witnesses: readonly WitnessHealth[];
  readonly checkpointer: (CheckpointerRun & { readonly lastSignedAt: string | null }) | null;
  readonly lastVerification: Verification | null;
}

export interface Verification extends Omit<LedgerReport, 'ok'> {
  readonly status: 'ok' | 'failed' | 'incomplete';
  readonly ok: boolean | null;
  readonly startedAt: string;
  readonly ms: number;
}

export const VERIFY_BUDGET_MS = 20_000;

class OverBudget extends Error {
  constructor(readonly entries: number) {
    super('over budget');
  }
}

export class LedgerHealthChecks {
  readonly #gate: Gate;
  readonly #budgetMs: number;
  #checkpointer: CheckpointerView | undefined;
  #running = false;
  #last: Verification | null = null;

  constructor(gate: Gate, budgetMs = VERIFY_BUDGET_MS) {
    this.#gate = gate;
    this.#budgetMs = budgetMs;
  }

  /** The server's background checkpointer, whose last step the health reports. */
  watch(checkpointer: CheckpointerView): void {
    this.#checkpointer = checkpointer;
  }

  #verifiers(): {
    log: NoteVerifier | null;
    witnesses: { name: string; verifier: ReturnType<typeof parseCosignerVerifier> }[];
  } {
    const dir = this.#gate.vault.dir;
    let log: NoteVerifier | null = null;
    try {
      log = loadLedgerVerifier(dir);
    } catch {
      log = null;
    }
    const witnesses = loadWitnesses(dir).map((w) => {
      const verifier = parseCosignerVerifier(w.verifierKey);
      return { name: verifier.name, verifier };
    });
    return { log, witnesses };
  }

  async health(ctx: RequestContext): Promise<LedgerHealth> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'audit', { type: 'Api', area: 'ledger' });
    const db = gate.vault.db;
    const entries = Number((await db.get<{ n: number | null }>('SELECT MAX(seq) AS n FROM audit_events'))?.n ?? 0);
    const integrated = Number((await db.get<{ size: number }>('SELECT size FROM ledger_state'))?.size ?? 0);
    const count = Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_checkpoints'))?.n ?? 0);
    const cp = await db.get<{ size: number; root: Buffer; note: string; signed_at: string }>(
      'SELECT size, root, note, signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
    );
    const { log, witnesses } = this.#verifiers();
    let checkpoint: LedgerHealth['checkpoint'] = null;
    if (cp) {
      let signatureValid: boolean | null = null;
      if (log) {
        try {
          signatureValid = openCheckpoint(cp.note, log).checkpoint.size === Number(cp.size);
        } catch {
          signatureValid = false;
        }
      }
      checkpoint = {
        size: Number(cp.size),
        root: Buffer.from(cp.root).toString('base64'),
        signedAt: cp.signed_at,
        origin: cp.note.slice(0, cp.note.indexOf('\n')),
        signatureValid,
        behind: Math.max(0, entries - Number(cp.size)),
      };
    }
    const cosigs = await db.all<{ witness: string; size: number; line: string }>(
      'SELECT witness, size, line FROM ledger_cosignatures ORDER BY size',
    );
    const names = [...new Set([...witnesses.map((w) => w.name), ...cosigs.map((c) => c.witness)])].sort();
    const out: WitnessHealth[] = names.map((name) => {
      const mine = cosigs.filter((c) => c.witness === name);
      const latest = cp ? mine.find((c) => Number(c.size) === Number(cp.size)) : undefined;
      const w = witnesses.find((x) => x.name === name);
      let onLatest: WitnessHealth['onLatest'] = null;
      if (latest && cp) {
        let valid = false;
        let at: string | null = null;
        if (w) {
          try {
            valid = openNote(`${cp.note}${latest.line}\n`, [w.verifier]).verified.length > 0;
            const sig = Buffer.from(latest.line.split(' ').at(-1) ?? '', 'base64').subarray(4);
            if (valid) at = new Date(w.verifier.timestampOf(sig) * 1000).toISOString();
          } catch {
            valid = false;
          }
        }
        onLatest = { valid, at };
      }
      return {
        name,
        configured: !!w,
        lastCosignedSize: mine.length ? Number(mine[mine.length - 1]!.size) : null,
        onLatest,
      };
    });
    return {
      entries,
      integrated,
      checkpoint,
      checkpoints: count,
      witnesses: out,
      checkpointer: this.#checkpointer?.lastRun ?? null,
      lastVerification: this.#last,
    };
  }

  /** Verifies the whole ledger within the budget (one at a time): ok, failed at an index, or incomplete. */
  async verify(ctx: RequestContext): Promise<Verification> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'audit', { type: 'Api', area: 'ledger' });
    const { log, witnesses } = this.#verifiers();
    if (!log) throw new TracevaultError('ERR_KEY_FILE');
    if (this.#running) throw new TracevaultError('ERR_CONFLICT', { rule: 'verificationRunning' });
    this.#running = true;
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    try {
      let v: Verification;
      try {
        const r = await verifyLedger(
          gate.vault.db,
          log,
          (n) => {
            if (Date.now() - started > this.#budgetMs) throw new OverBudget(n);
          },
          witnesses.map((w) => w.verifier),
        );
        v = { ...r, status: r.ok ? 'ok' : 'failed', ok: r.ok, startedAt, ms: Date.now() - started };
      } catch (e) {
        if (!(e instanceof OverBudget)) throw e;
        const checkpoints = Number(
          (await gate.vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_checkpoints'))?.n ?? 0,
        );
        v = { status: 'incomplete', ok: null, entries: e.entries, checkpoints, startedAt, ms: Date.now() - started };
      }
      this.#last = v;
      return v;
    } finally {
      this.#running = false;
    }
  }
}
