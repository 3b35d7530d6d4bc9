/**
 * The browser's Merkle verification against the transparency-dev probes (every RFC 6962 / RFC 9162
 * inclusion and consistency case a correct verifier must accept or reject) and the reference tree,
 * used as they are (test/vectors/README.md), with WebCrypto's SHA-256 as the page has it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBase64 } from './bytes.ts';
import { leafHash, nodeHash, verifyConsistency, verifyInclusion } from './merkle.ts';

const TLOG = fileURLToPath(new URL('../../../test/vectors/tlog/', import.meta.url));
// The probes write empty or absent hashes as null; base64 of nothing is no bytes.
const b64 = (s: string | null): Uint8Array => (s ? fromBase64(s)! : new Uint8Array());
const list = (xs: string[] | null): Uint8Array[] => (xs ?? []).map(b64);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function probes(dir: string): string[] {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? probes(join(dir, n)) : n.endsWith('.json') ? [join(dir, n)] : [],
  );
}

test('all 196 transparency-dev probes, accepted or rejected as they say', async () => {
  const files = probes(join(TLOG, 'transparency-dev-merkle'));
  assert.equal(files.length, 196);
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    const ok = f.includes('/inclusion/')
      ? await verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), list(v.proof), b64(v.root))
      : await verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), list(v.proof));
    assert.equal(ok, !v.wantErr, f.slice(f.indexOf('transparency-dev-merkle')));
  }
});

test('the reference tree: leaf and node hashes as RFC 9162 §2.1.1 defines them', async () => {
  const ref = JSON.parse(readFileSync(join(TLOG, 'reference-tree.json'), 'utf8'));
  const leaves = await Promise.all(
    (ref.leafInputsHex as string[]).map((h) => leafHash(Uint8Array.from(Buffer.from(h, 'hex')))),
  );
  assert.deepEqual(leaves.map(hex), ref.nodeHashesByLevel[0]);
  const level1 = ref.nodeHashesByLevel[1] as string[];
  for (let i = 0; i < level1.length; i++)
    assert.equal(hex(await nodeHash(leaves[2 * i]!, leaves[2 * i + 1]!)), level1[i]);
});

test('inputs a careful verifier refuses: out of range, wrong lengths, unsafe integers', async () => {
  const h = new Uint8Array(32);
  assert.equal(await verifyInclusion(0, 1, h, [], h), true);
  assert.equal(await verifyInclusion(1, 1, h, [], h), false);
  assert.equal(await verifyInclusion(-1, 1, h, [], h), false);
  assert.equal(await verifyInclusion(0, 2 ** 53, h, [], h), false);
  assert.equal(await verifyInclusion(0, 1, h.subarray(1), [], h), false);
  assert.equal(await verifyInclusion(0, 2, h, [h.subarray(2)], h), false);
  assert.equal(await verifyConsistency(0, 1, h, h, []), false);
  assert.equal(await verifyConsistency(2, 1, h, h, []), false);
  assert.equal(await verifyConsistency(1, 1, h, h, []), true);
  assert.equal(await verifyConsistency(1, 1, h, h, [h]), false);
});
