/**
 * Checking a child's access history in the browser (`GET /v1/portal/children/{id}/accesses`): the
 * checkpoint it comes with, as the ledger status checks any checkpoint (signatures with the pinned
 * keys, consistency with the last one this browser verified: ledger-check.ts), then every entry on
 * its own: its leaf input hashed here (RFC 9162 §2.1.1) and proven included at its index in that
 * checkpoint's tree (§2.1.3.2), and the leaf saying what the row shows (its sequence number, time
 * and action) — a row whose words were changed but whose proof was kept fails too.
 *
 * An entry is "verified", "altered", or "pending": newer than the checkpoint, it has no proof yet and
 * is checked on a later visit. If the checkpoint itself does not verify, no entry is shown verified.
 */
import { fromBase64 } from './bytes.ts';
import type { PinnedKeys } from './checkpoint.ts';
import type { KeyValueStore } from './checkpoint-memory.ts';
import { checkLedger, verifyEntry, type LedgerSource, type LedgerStatus } from './ledger-check.ts';
import { leafHash } from './merkle.ts';

export interface HistoryEntry {
  readonly index: number;
  readonly at: string;
  readonly action: string;
  readonly leaf: string;
  readonly proof: readonly string[] | null;
}

export interface HistoryAnswer {
  readonly checkpoint: string | null;
  readonly size: number;
  readonly entries: readonly HistoryEntry[];
}

export type EntryState = 'verified' | 'altered' | 'pending' | 'unchecked';

export interface HistoryCheck {
  readonly ledger: LedgerStatus;
  /** By ledger index. */
  readonly entries: ReadonlyMap<number, EntryState>;
  /** Whether anything failed: the page then says plainly that the history may have been altered. */
  readonly altered: boolean;
}

/** Whether the leaf input says what the row shows: `<seq>\n<tenant>\n<at>\n…\n<entry JSON>`. */
function leafMatches(leaf: Uint8Array, e: HistoryEntry): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(leaf);
  } catch {
    return false;
  }
  const lines = text.split('\n');
  if (lines.length < 4 || lines[0] !== String(e.index + 1) || lines[2] !== e.at) return false;
  try {
    const entry = JSON.parse(lines[lines.length - 1]!) as { action?: unknown };
    return entry.action === e.action;
  } catch {
    return false;
  }
}

async function checkEntry(e: HistoryEntry, ledger: LedgerStatus): Promise<EntryState> {
  if (ledger.state !== 'verified') return ledger.state === 'altered' ? 'altered' : 'unchecked';
  const cp = ledger.checkpoint;
  // Not yet covered: pending, but only if it really is newer than the checkpoint.
  if (e.proof === null) return e.index >= cp.size ? 'pending' : 'altered';
  const leaf = fromBase64(e.leaf);
  if (!leaf || !leafMatches(leaf, e)) return 'altered';
  return (await verifyEntry(cp, e.index, await leafHash(leaf), e.proof)) ? 'verified' : 'altered';
}

export async function checkHistory(
  answer: HistoryAnswer,
  consistency: LedgerSource['consistency'],
  keys: PinnedKeys | undefined,
  store: KeyValueStore,
): Promise<HistoryCheck> {
  const source: LedgerSource = { checkpoint: () => Promise.resolve(answer.checkpoint ?? undefined), consistency };
  let ledger = await checkLedger(source, keys, store);
  // The answer's size must be the checkpoint's: proofs are to that tree.
  if (ledger.state === 'verified' && ledger.checkpoint.size !== answer.size)
    ledger = { state: 'altered', reason: 'malformed' };
  const entries = new Map<number, EntryState>();
  for (const e of answer.entries) entries.set(e.index, await checkEntry(e, ledger));
  const altered = ledger.state === 'altered' || [...entries.values()].includes('altered');
  return { ledger, entries, altered };
}
