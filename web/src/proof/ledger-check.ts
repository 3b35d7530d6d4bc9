/**
 * What the page checks of the ledger on each visit, with the keys pinned in it:
 *
 *  1. the latest checkpoint is signed by the log and cosigned by enough of its witnesses;
 *  2. if this browser verified a checkpoint of the same log before, the new tree extends it: the
 *     same root at the same size, or a valid consistency proof from the old size (RFC 9162 §2.1.4.2);
 *     a smaller tree than the one seen before is a rollback;
 *  3. then the new checkpoint is remembered for the next visit.
 *
 * "altered" means the log's own statements do not hold together: a signature, a proof or the
 * history does not verify. "unavailable" means nothing could be checked (no keys, no WebCrypto, no
 * checkpoint yet, the network): never shown as verified, never as altered.
 */
import { equalBytes, fromBase64 } from './bytes.ts';
import { verifyCheckpoint, type Checkpoint, type PinnedKeys } from './checkpoint.ts';
import { recall, remember, type KeyValueStore } from './checkpoint-memory.ts';
import { verifyConsistency, verifyInclusion } from './merkle.ts';
import { hasWebCrypto } from './sha256.ts';

/** Where the ledger's public read paths are (HTTP in the page, a test server in tests). */
export interface LedgerSource {
  /** The signed checkpoint note; undefined when the log has none yet. Throws when unreachable. */
  checkpoint(): Promise<string | undefined>;
  /** The consistency proof from size1 to size2, base64 hashes; undefined if the log has none to give. */
  consistency(size1: number, size2: number): Promise<readonly string[] | undefined>;
}

export type AlteredReason = 'malformed' | 'signature' | 'origin' | 'witnesses' | 'rollback' | 'fork' | 'consistency';
export type UnavailableReason = 'no-keys' | 'no-webcrypto' | 'no-checkpoint' | 'network';

export type LedgerStatus =
  | {
      readonly state: 'verified';
      readonly checkpoint: Checkpoint;
      readonly witnesses: readonly { name: string; time: number }[];
      /** The size of the tree this browser had verified before, when it had. */
      readonly previousSize?: number;
    }
  | { readonly state: 'altered'; readonly reason: AlteredReason }
  | { readonly state: 'unavailable'; readonly reason: UnavailableReason };

const altered = (reason: AlteredReason): LedgerStatus => ({ state: 'altered', reason });
const unavailable = (reason: UnavailableReason): LedgerStatus => ({ state: 'unavailable', reason });

/** Decodes a proof's base64 hashes; undefined if any is malformed. */
export function decodeProof(proof: readonly string[]): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  for (const h of proof) {
    const bytes = fromBase64(h);
    if (!bytes) return undefined;
    out.push(bytes);
  }
  return out;
}

export async function checkLedger(
  source: LedgerSource,
  keys: PinnedKeys | undefined,
  store: KeyValueStore,
): Promise<LedgerStatus> {
  if (!keys) return unavailable('no-keys');
  if (!hasWebCrypto()) return unavailable('no-webcrypto');
  let note: string | undefined;
  try {
    note = await source.checkpoint();
  } catch {
    return unavailable('network');
  }
  if (note === undefined) return unavailable('no-checkpoint');
  const result = verifyCheckpoint(note, keys);
  if (!result.ok) return altered(result.reason);
  const { checkpoint } = result;
  const before = recall(store, checkpoint.origin);
  if (before) {
    if (before.size > checkpoint.size) return altered('rollback');
    if (before.size === checkpoint.size) {
      // Two signed trees of one size with different roots: the log showed two histories.
      if (!equalBytes(before.root, checkpoint.root)) return altered('fork');
    } else if (before.size > 0) {
      let proof: readonly string[] | undefined;
      try {
        proof = await source.consistency(before.size, checkpoint.size);
      } catch {
        return unavailable('network');
      }
      const hashes = proof && decodeProof(proof);
      if (!hashes || !(await verifyConsistency(before.size, checkpoint.size, before.root, checkpoint.root, hashes)))
        return altered('consistency');
    }
  }
  remember(store, checkpoint);
  return {
    state: 'verified',
    checkpoint,
    witnesses: result.witnesses,
    ...(before ? { previousSize: before.size } : {}),
  };
}

/** Whether an entry, known by its leaf hash, is at `index` of a verified checkpoint's tree (RFC 9162 §2.1.3.2). */
export async function verifyEntry(
  checkpoint: Checkpoint,
  index: number,
  leafHash: Uint8Array,
  proof: readonly string[],
): Promise<boolean> {
  const hashes = decodeProof(proof);
  return hashes !== undefined && verifyInclusion(index, checkpoint.size, leafHash, hashes, checkpoint.root);
}
