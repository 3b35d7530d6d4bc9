/**
 * Verifying Merkle proofs in the browser, RFC 9162 §2.1 (the same tree as RFC 6962 §2.1), SHA-256:
 *
 *   leaf hash = SHA-256(0x00 ‖ entry)            node hash = SHA-256(0x01 ‖ left ‖ right)
 *
 * The algorithms are the RFC's verification procedures step for step (§2.1.3.2 for inclusion,
 * §2.1.4.2 for consistency), as the server's src/ledger/merkle.ts runs them; here the hashes are
 * WebCrypto's, so every step awaits. Indices and sizes are numbers used only with + - and
 * Math.floor division, never 32-bit bitwise operators: exact up to 2^53. Any malformed input is a
 * failure (false), never a throw.
 */
import { equalBytes } from './bytes.ts';
import { sha256 } from './sha256.ts';

export const HASH_BYTES = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 ‖ entry). */
export function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(LEAF_PREFIX, entry);
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(NODE_PREFIX, left, right);
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);
const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/**
 * RFC 9162 §2.1.3.2: whether `proof` shows that the leaf with hash `leaf` is at `index` in the tree
 * of `size` leaves whose root is `root`.
 */
export async function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  // Step 1: index < size, else fail.
  if (!isCount(index) || !isCount(size) || index >= size) return false;
  if (leaf.length !== HASH_BYTES || proof.some((p) => p.length !== HASH_BYTES)) return false;
  // Step 2: fn = index, sn = size - 1; step 3: r = the leaf hash.
  let fn = index,
    sn = size - 1,
    r = leaf;
  // Step 4: for each value p in the path:
  for (const p of proof) {
    // 4a: sn = 0 means the path is longer than the tree is tall.
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      // 4b: r = HASH(0x01 ‖ p ‖ r); if fn is even, shift both right until fn is odd or zero.
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // 4c: r = HASH(0x01 ‖ r ‖ p).
      r = await nodeHash(r, p);
    }
    // 4d: shift fn and sn right by one.
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5: sn is 0 and r is the root.
  return sn === 0 && equalBytes(r, root);
}

const isPowerOfTwo = (n: number) => {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
};

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `size1` leaves with root `root1` is a
 * prefix of the tree of `size2` leaves with root `root2`. As in the reference verifier a proof from
 * the empty tree is refused (it proves nothing), and equal sizes need an empty proof and the same
 * root.
 */
export async function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<boolean> {
  if (!isCount(size1) || !isCount(size2) || size1 < 1 || size2 < size1) return false;
  // Equal sizes compare the roots as given, whatever their length (as the reference verifier does).
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  if (proof.length === 0 || proof.some((p) => p.length !== HASH_BYTES) || root1.length !== HASH_BYTES) return false;
  // Step 1: if size1 is an exact power of two, prepend root1 to the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // Step 2: fn = size1 - 1, sn = size2 - 1; step 3: while fn is odd, shift both right.
  let fn = size1 - 1,
    sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 4: fr = sr = the first value of the path.
  let fr = path[0]!,
    sr = path[0]!;
  // Step 5: for each subsequent value c in the path:
  for (const c of path.slice(1)) {
    // 5a: sn = 0 means the proof is too long.
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      // 5b: fr = HASH(0x01 ‖ c ‖ fr), sr = HASH(0x01 ‖ c ‖ sr); if fn is even, shift until odd or zero.
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // 5c: sr = HASH(0x01 ‖ sr ‖ c).
      sr = await nodeHash(sr, c);
    }
    // 5d: shift fn and sn right by one.
    fn = half(fn);
    sn = half(sn);
  }
  // Step 6: fr is root1, sr is root2 and sn is 0.
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}
