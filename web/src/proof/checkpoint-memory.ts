/**
 * The last checkpoint this browser verified, per log (its origin), kept so that the next visit can
 * ask the log to prove that its new tree extends the old one (RFC 9162 §2.1.4): a log that rewrote,
 * dropped or forked its history since cannot. Kept in localStorage (or any store of the same
 * shape, for tests): the size and root of a public tree, nothing personal.
 */
import { fromBase64, toBase64 } from './bytes.ts';
import type { Checkpoint } from './checkpoint.ts';
import { HASH_BYTES } from './merkle.ts';

/** What localStorage offers, as much as is used here. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const PREFIX = 'tracevault.checkpoint.v1:';

export interface Remembered {
  readonly size: number;
  readonly root: Uint8Array;
}

/** The checkpoint remembered for a log, if any and readable (a damaged entry is as none). */
export function recall(store: KeyValueStore, origin: string): Remembered | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(store.getItem(PREFIX + origin) ?? 'null');
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { size, root } = raw as { size?: unknown; root?: unknown };
  const bytes = typeof root === 'string' ? fromBase64(root) : undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || bytes?.length !== HASH_BYTES)
    return undefined;
  return { size, root: bytes };
}

/** Remembers a verified checkpoint, unless a larger one is remembered already. */
export function remember(store: KeyValueStore, checkpoint: Checkpoint): void {
  const known = recall(store, checkpoint.origin);
  if (known && known.size > checkpoint.size) return;
  const value = JSON.stringify({ size: checkpoint.size, root: toBase64(checkpoint.root) });
  try {
    store.setItem(PREFIX + checkpoint.origin, value);
  } catch {
    // A full or disabled store: this visit is verified all the same; the next one starts afresh.
  }
}
