/**
 * The Merkle tree of the ledger, RFC 9162 §2.1 (the same as RFC 6962 §2.1): SHA-256,
 *   leaf hash  = SHA-256(0x00 ‖ entry)
 *   node hash  = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({})    = SHA-256("")
 *   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n.
 *
 * Pure. Indices and sizes are numbers used only with + - * and Math.floor division, never with
 * 32-bit bitwise operators, so they are exact up to 2^53 (tested beyond 2^32).
 */
import { createHash, hash, timingSafeEqual } from 'node:crypto';

export type Hash = Buffer;
export const HASH_BYTES = 32;

export function leafHash(entry: Uint8Array): Hash {
  return createHash('sha256').update(Buffer.of(0x00)).update(entry).digest();
}

/** The leaf hash of an entry given as text (UTF-8): SHA-256("\0" ‖ text), one call, no copies. */
export function leafHashOfText(text: string): Hash {
  return hash('sha256', `\u0000${text}`, 'buffer');
}

// One-shot hashing (crypto.hash) over a scratch buffer: no Hash object a node. Safe to share:
// hashing is synchronous, so no other call can touch the buffer in between.
const NODE_INPUT = Buffer.alloc(1 + 2 * 32);
NODE_INPUT[0] = 0x01;

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== 32 || right.length !== 32)
    return createHash('sha256').update(Buffer.of(0x01)).update(left).update(right).digest();
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 33);
  return hash('sha256', NODE_INPUT, 'buffer');
}

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Root of a list of leaf hashes (for tests and small trees; the log uses CompactRange). */
export function rootOf(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
}

/**
 * Verifies an inclusion proof, RFC 9162 §2.1.3.2. Any malformed input is a failure, never a throw.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (leaf.length !== HASH_BYTES || proof.some((p) => p.length !== HASH_BYTES)) return false;
  let fn = index,
    sn = size - 1,
    r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

/**
 * Verifies a consistency proof between sizes size1 ≤ size2, RFC 9162 §2.1.4.2. As in the
 * reference verifier, a proof from the empty tree is refused (it proves nothing), and equal sizes
 * need an empty proof and byte-identical roots.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  if (proof.length === 0 || proof.some((p) => p.length !== HASH_BYTES) || root1.length !== HASH_BYTES) return false;
  // If size1 is a power of two, the old root is the first node of the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1,
    sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!,
    sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(fr, root1) && equal(sr, root2);
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n + 1) === n;
}

/** Hash of the subtree over leaves [lo, hi), supplied by the store (tiles) or computed. */
export type SubtreeHash = (lo: number, hi: number) => Hash;

/** Inclusion proof PATH(m, D[lo:hi]), RFC 9162 §2.1.3.1. */
export function inclusionProof(index: number, size: number, subtree: SubtreeHash): Hash[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError('index');
  const path = (m: number, lo: number, hi: number): Hash[] => {
    const n = hi - lo;
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k ? [...path(m, lo, lo + k), subtree(lo + k, hi)] : [...path(m - k, lo + k, hi), subtree(lo, lo + k)];
  };
  return path(index, 0, size);
}

/** Consistency proof PROOF(m, D[n]), RFC 9162 §2.1.4.1 (SUBPROOF with b = true at the top). */
export function consistencyProof(size1: number, size2: number, subtree: SubtreeHash): Hash[] {
  if (!Number.isSafeInteger(size1) || size1 < 1 || size2 < size1) throw new RangeError('size');
  const sub = (m: number, lo: number, hi: number, b: boolean): Hash[] => {
    const n = hi - lo;
    if (m === n) return b ? [] : [subtree(lo, hi)];
    const k = splitPoint(n);
    return m <= k
      ? [...sub(m, lo, lo + k, b), subtree(lo + k, hi)]
      : [...sub(m - k, lo + k, hi, false), subtree(lo, lo + k)];
  };
  return size1 === size2 ? [] : sub(size1, 0, size2, true);
}

/**
 * The right edge of a tree: the roots of its perfect subtrees, largest first (one per set bit of
 * the size). Appending a leaf merges equal-sized subtrees; the root folds them from the right.
 * O(log n) memory: the log appends without rehashing anything already integrated.
 */
export class CompactRange {
  #size: number;
  readonly #hashes: Hash[];

  constructor(size = 0, hashes: readonly Hash[] = []) {
    this.#size = size;
    this.#hashes = [...hashes];
  }

  get size(): number {
    return this.#size;
  }

  get hashes(): readonly Hash[] {
    return this.#hashes;
  }

  /** Appends a leaf hash; calls `onNode(level, index, hash)` for every perfect subtree completed. */
  append(leaf: Hash, onNode?: (level: number, index: number, hash: Hash) => void): void {
    let h = leaf,
      level = 0,
      index = this.#size;
    onNode?.(0, index, h);
    // Each trailing 1 bit of the old size is a perfect subtree of the same height to merge with.
    let s = this.#size;
    while (odd(s)) {
      h = nodeHash(this.#hashes.pop()!, h);
      level++;
      index = half(index);
      onNode?.(level, index, h);
      s = half(s);
    }
    this.#hashes.push(h);
    this.#size++;
  }

  root(): Hash {
    if (this.#hashes.length === 0) return EMPTY_ROOT;
    let r = this.#hashes[this.#hashes.length - 1]!;
    for (let i = this.#hashes.length - 2; i >= 0; i--) r = nodeHash(this.#hashes[i]!, r);
    return r;
  }
}
