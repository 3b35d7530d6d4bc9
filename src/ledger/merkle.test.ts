import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  leafHashOfText,
  nodeHash,
  rootOf,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from './merkle.ts';
import { vectorPath } from '../../test/helpers/vectors.ts';

const VECTORS = `${vectorPath('tlog')}/`;
const b64 = (s: string | null): Buffer => Buffer.from(s ?? '', 'base64');
const list = (xs: string[] | null): Buffer[] => (xs ?? []).map(b64);

function probes(dir: string): string[] {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? probes(join(dir, n)) : n.endsWith('.json') ? [join(dir, n)] : [],
  );
}

test('all 196 transparency-dev probes, used as they are', () => {
  const files = probes(join(VECTORS, 'transparency-dev-merkle'));
  assert.equal(files.length, 196);
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    const ok = f.includes('/inclusion/')
      ? verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), list(v.proof), b64(v.root))
      : verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), list(v.proof));
    assert.equal(ok, !v.wantErr, f.slice(f.indexOf('transparency-dev-merkle')));
  }
});

test('the reference tree: every node hash and the roots of sizes 0 to 8', () => {
  const ref = JSON.parse(readFileSync(join(VECTORS, 'reference-tree.json'), 'utf8'));
  const leaves = (ref.leafInputsHex as string[]).map((h) => leafHash(Buffer.from(h, 'hex')));
  assert.deepEqual(
    leaves.map((l) => l.toString('hex')),
    ref.nodeHashesByLevel[0],
  );
  for (let level = 1; level < ref.nodeHashesByLevel.length; level++) {
    (ref.nodeHashesByLevel[level] as string[]).forEach((h, i) => {
      const w = 2 ** level;
      assert.equal(rootOf(leaves.slice(i * w, (i + 1) * w)).toString('hex'), h, `level ${level} node ${i}`);
    });
  }
  const roots = ref.rootBySize as string[];
  const L = ref.nodeHashesByLevel as string[][];
  roots.forEach((r, n) => {
    assert.equal(rootOf(leaves.slice(0, n)).toString('hex'), r, `size ${n}`);
    const c = new CompactRange();
    leaves.slice(0, n).forEach((l) => c.append(l));
    assert.equal(c.root().toString('hex'), r, `compact size ${n}`);
    // The compact range keeps one perfect-subtree root per set bit of n, largest first.
    const expected: string[] = [];
    let start = 0;
    for (let level = 3; level >= 0; level--) {
      if (n & (1 << level)) {
        expected.push(L[level]![start >> level]!);
        start += 1 << level;
      }
    }
    assert.deepEqual(
      c.hashes.map((h) => h.toString('hex')),
      expected,
      `compact range ${n}`,
    );
  });
  assert.equal(EMPTY_ROOT.toString('hex'), roots[0]);
});

const leaves = (n: number): Hash[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const subtreeOf = (ls: Hash[]) => (lo: number, hi: number) => rootOf(ls.slice(lo, hi));

test('proofs we build verify, and fail for any other leaf, index or size (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (size, a, b) => {
      const ls = leaves(size);
      const root = rootOf(ls);
      const i = a % size;
      const proof = inclusionProof(i, size, subtreeOf(ls));
      assert.ok(verifyInclusion(i, size, ls[i]!, proof, root));
      assert.ok(!verifyInclusion(i, size, leafHash(Buffer.from('other')), proof, root));
      if (size > 1) assert.ok(!verifyInclusion((i + 1) % size, size, ls[i]!, proof, root));
      const m = 1 + (b % size);
      const cp = consistencyProof(m, size, subtreeOf(ls));
      assert.ok(verifyConsistency(m, size, rootOf(ls.slice(0, m)), root, cp));
      if (m < size) assert.ok(!verifyConsistency(m, size, rootOf(ls.slice(0, m)), rootOf(leaves(size + 1)), cp));
    }),
    { numRuns: 300 },
  );
});

test('index arithmetic beyond 2^32: a sparse tree of 2^33 + 5 leaves', () => {
  // Every leaf is the same entry except a few marked ones, so a perfect subtree without a marked
  // leaf has a hash computed by doubling (uniform[h] = node(uniform[h-1], uniform[h-1])), and any
  // other subtree by recursion: only O(log n) work per marked leaf, however large the tree.
  const size = 2 ** 33 + 5;
  const marked = [size - 1, size - 5, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 33 - 1, 7];
  const plain = leafHash(Buffer.from('plain'));
  const leaf = (i: number) => (marked.includes(i) ? leafHash(Buffer.from(`marked ${i}`)) : plain);
  const uniform: Hash[] = [plain];
  for (let h = 1; h <= 34; h++) uniform.push(nodeHash(uniform[h - 1]!, uniform[h - 1]!));
  const memo = new Map<string, Hash>();
  const subtree = (lo: number, hi: number): Hash => {
    const key = `${lo}:${hi}`;
    let h = memo.get(key);
    if (h) return h;
    const n = hi - lo;
    if (n === 1) h = leaf(lo);
    else if (splitPoint(n) * 2 === n && !marked.some((m) => m >= lo && m < hi)) h = uniform[Math.log2(n)]!;
    else {
      const k = splitPoint(n);
      h = nodeHash(subtree(lo, lo + k), subtree(lo + k, hi));
    }
    memo.set(key, h);
    return h;
  };
  const root = subtree(0, size);
  for (const i of marked) {
    const proof = inclusionProof(i, size, subtree);
    assert.ok(verifyInclusion(i, size, leaf(i), proof, root), `index ${i}`);
    assert.ok(!verifyInclusion(i + 1, size, leaf(i), proof, root), `index ${i} + 1`);
  }
  for (const m of [2 ** 32, 2 ** 32 + 3, 2 ** 33 + 1]) {
    assert.ok(verifyConsistency(m, size, subtree(0, m), root, consistencyProof(m, size, subtree)), `from ${m}`);
    assert.ok(!verifyConsistency(m, size, subtree(0, m - 1), root, consistencyProof(m, size, subtree)));
  }
});

test('one-shot hashing agrees with the incremental definition', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (text, l, r) => {
        assert.deepEqual(leafHashOfText(text), leafHash(Buffer.from(text, 'utf8')));
        const incremental = createHash('sha256').update(Buffer.of(1)).update(l).update(r).digest();
        assert.deepEqual(nodeHash(l, r), incremental);
      },
    ),
    { numRuns: 300 },
  );
});
