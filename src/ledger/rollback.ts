/**
 * Rollback detection (issue 23 item 3, ADR 0029): a vault restored from an old backup, or rolled
 * back by an insider to hide reads, has a ledger shorter than what its witnesses have cosigned.
 * The witnesses keep, outside the vault, the latest size they cosigned (ledger/witness.ts); this
 * asks each for it with c2sp.org/tlog-witness's own request: add-checkpoint with `old 0` and the
 * vault's latest signed checkpoint. A witness that cosigned more answers 409 with its size (and
 * changes nothing); one that never saw the log cosigns (as the checkpointer would have).
 *
 *   - witness size > the ledger's entries: the ledger is behind what was cosigned: a rollback;
 *   - witness size ≤ the latest checkpoint: the checkpoint must extend the witness's, proven by a
 *     consistency proof; a witness that refuses it (422, or 409 for the same size) saw another
 *     history: a rollback followed by new entries (a fork);
 *   - a witness that cannot be reached proves nothing either way: reported as unreachable.
 *
 * A cosigned checkpoint kept elsewhere (a receipt's, one printed by `ledger checkpoint`) is a
 * second source: `knownCheckpoints` (verified with the log's key) larger than the ledger name it.
 */
import type { Db } from '../store/db.ts';
import { openCheckpoint, parseCheckpoint } from './checkpoint.ts';
import { parseCosignerVerifier } from './cosignature.ts';
import type { Ledger } from './log.ts';
import type { NoteVerifier } from './signed-note.ts';
import type { WitnessConfig } from './witness-client.ts';

export interface RollbackFinding {
  /** The witness's name, or `checkpoint` for a known checkpoint. */
  readonly source: string;
  /** The size it has cosigned. */
  readonly cosignedSize: number;
  /** The ledger's entries here. */
  readonly entries: number;
  readonly kind: 'behind' | 'fork';
}

export interface RollbackReport {
  readonly rolledBack: boolean;
  readonly findings: readonly RollbackFinding[];
  /** Witnesses that answered (consistent or not), and those that did not. */
  readonly checked: readonly string[];
  readonly unreachable: readonly string[];
}

async function post(url: string, body: string): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(`${url.replace(/\/$/, '')}/add-checkpoint`, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(5_000),
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

export async function checkRollback(
  db: Db,
  ledger: Ledger,
  witnesses: readonly WitnessConfig[],
  opts: { log?: NoteVerifier; knownCheckpoints?: readonly string[] } = {},
): Promise<RollbackReport> {
  const entries = Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))?.n ?? 0);
  const latest = await db.get<{ size: number; note: string }>(
    'SELECT size, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
  );
  const findings: RollbackFinding[] = [];
  const checked: string[] = [];
  const unreachable: string[] = [];
  for (const note of opts.knownCheckpoints ?? []) {
    const size = opts.log ? openCheckpoint(note, opts.log).checkpoint.size : parseCheckpoint(note).size;
    if (size > entries) findings.push({ source: 'checkpoint', cosignedSize: size, entries, kind: 'behind' });
  }
  for (const w of witnesses) {
    const name = parseCosignerVerifier(w.verifierKey).name;
    if (!latest) {
      // Nothing signed here to ask with: the witness cannot be asked about this log.
      unreachable.push(name);
      continue;
    }
    const size = Number(latest.size);
    try {
      const r = await post(w.url, `old 0\n\n${latest.note}`);
      if (r.status === 200) {
        checked.push(name);
        continue;
      }
      if (r.status !== 409 || !r.type.startsWith('text/x.tlog.size') || !/^\d+\n$/.test(r.text)) {
        unreachable.push(name);
        continue;
      }
      const theirs = Number(r.text);
      checked.push(name);
      if (theirs > entries) {
        findings.push({ source: name, cosignedSize: theirs, entries, kind: 'behind' });
      } else if (theirs <= size && theirs > 0) {
        const proof = theirs < size ? await ledger.consistencyProof(theirs, size) : [];
        const c = await post(
          w.url,
          `old ${theirs}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${latest.note}`,
        );
        if (c.status === 422 || (c.status === 409 && !c.type.startsWith('text/x.tlog.size')))
          findings.push({ source: name, cosignedSize: theirs, entries, kind: 'fork' });
      }
    } catch {
      unreachable.push(name);
    }
  }
  return { rolledBack: findings.length > 0, findings, checked, unreachable };
}

/** One line naming a rollback, for the command line and the server's log: sizes and names only. */
export function describeRollback(r: RollbackReport): string {
  return r.findings
    .map((f) =>
      f.kind === 'behind'
        ? `${f.source} has cosigned ${f.cosignedSize} entries but this ledger has ${f.entries}`
        : `${f.source} cosigned a different history at size ${f.cosignedSize} (a fork)`,
    )
    .join('; ');
}
