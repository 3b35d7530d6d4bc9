/**
 * A proof as a JSON file, in the shape of the transparency-dev test data (byte fields base64):
 *   inclusion:   { leafIdx, treeSize, root, leafHash, proof }
 *   consistency: { size1, size2, root1, root2, proof }
 * `proof` may be null (an empty proof). Used by `tracevault ledger verify-proof` and by auditors.
 */
import { TracevaultError } from '../errors.ts';
import { verifyConsistency, verifyInclusion } from './merkle.ts';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytes(v: unknown, field: string): Buffer {
  if (typeof v !== 'string' || !B64.test(v)) throw new TracevaultError('ERR_BAD_REQUEST', { field });
  return Buffer.from(v, 'base64');
}

/**
 * A non-negative integer. Past 2^53 (e.g. a uint64 index) it is well-formed but no proof can hold: the verifiers
 * refuse it.
 */
function count(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TracevaultError('ERR_BAD_REQUEST', { field });
  return v;
}

function path(v: unknown): Buffer[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'proof' });
  return v.map((p) => bytes(p, 'proof'));
}

export type ProofKind = 'inclusion' | 'consistency';

/** Verifies a parsed proof document; throws ERR_BAD_REQUEST if it is not one. */
export function verifyProofDocument(doc: unknown): { kind: ProofKind; valid: boolean } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TracevaultError('ERR_BAD_REQUEST');
  const d = doc as Record<string, unknown>;
  if ('leafIdx' in d || 'treeSize' in d) {
    const valid = verifyInclusion(
      count(d.leafIdx, 'leafIdx'),
      count(d.treeSize, 'treeSize'),
      bytes(d.leafHash, 'leafHash'),
      path(d.proof),
      bytes(d.root, 'root'),
    );
    return { kind: 'inclusion', valid };
  }
  if ('size1' in d || 'size2' in d) {
    const valid = verifyConsistency(
      count(d.size1, 'size1'),
      count(d.size2, 'size2'),
      bytes(d.root1, 'root1'),
      bytes(d.root2, 'root2'),
      path(d.proof),
    );
    return { kind: 'consistency', valid };
  }
  throw new TracevaultError('ERR_BAD_REQUEST');
}
