/**
 * Blocking: the candidate records of a trace's leaked rows, looked up through the blind index, a
 * chunk of rows at a time. Tiered (precise keys first, broad ones for the rows still unlinked).
 */
import type { Registry } from '../store/registry.ts';
import { indexForm } from '../store/seal-record.ts';
import { bytesParam } from '../store/dialect/sql.ts';
import { blockKeys } from '../schema/blocking.ts';
import { rowMaterial, type LeakRow } from './leak-row.ts';
import { WHOLE_VALUE_WEIGHT, closestOf, wholeValues } from './linkage.ts';

const MAX_BLOCK = 2000;

/**
 * Candidate record seqs for some rows, through the blind index. Blocking is tiered (Christen,
 * "Data Matching", §4.6): the `precise` keys — full phones and ids, a phone's first 3 and last 4
 * digits, an id's first 6 and last 4 — find one or two records even in a registry of millions; the
 * `broad` ones (birth date with hospital or surname sound, fuzzy name with month) are asked only
 * for the rows the precise ones did not link (a stale phone, a masked or missing id).
 */
export async function block(
  reg: Registry,
  rows: readonly LeakRow[],
  which: readonly number[],
  tier: 'precise' | 'broad',
  b: Blocking,
): Promise<Map<number, Set<number>>> {
  const known = b.known;
  // Each row's keys (a whole phone or id as `w` + scope + value), and the digests of those not yet
  // looked up: a trace blocks its rows a chunk at a time, and neighbouring rows share keys.
  const keysOf = new Map<number, string[]>();
  const wanted = new Map<string, Buffer>();
  for (const i of which) {
    const row = rows[i]!;
    const keys = blockKeys(rowMaterial(row), tier);
    for (const k of keys) if (!known.has(k) && !wanted.has(k)) wanted.set(k, reg.keys.blockIndex(k));
    if (tier === 'precise') {
      for (const { scope, value } of wholeValues(row)) {
        const v = scope === 'phone' ? indexForm('phone', value) : value;
        const k = `w${scope}:${v}`;
        keys.push(k);
        if (!known.has(k) && !wanted.has(k)) wanted.set(k, reg.keys.blindIndex(scope, v));
      }
    }
    keysOf.set(i, keys);
  }
  // Each digest stands for its place in the page (w.n), so a result row is two integers rather
  // than a digest to copy and look up again (1.6 million rows for a 200,000-row leak). CROSS JOIN
  // keeps w the outer loop in SQLite (sqlite.org/optoverview.html#crossjoin): as a plain join the
  // planner chose to scan the whole index against 500 values.
  const pending = [...wanted];
  for (let p = 0; p < pending.length; p += 500) {
    const page = pending.slice(p, p + 500);
    const param = bytesParam(reg.db.dialect);
    const values = page.map((_, n) => `(${n}, ${param})`).join(',');
    for (const h of await reg.db.all<{ n: number; record_seq: number }>(
      `WITH w (n, d) AS (VALUES ${values})
       SELECT w.n, b.record_seq FROM w CROSS JOIN blind_index b WHERE b.digest = w.d`,
      page.map(([, d]) => d),
    )) {
      const k = page[h.n]![0];
      const list = known.get(k) as number[] | undefined;
      if (list) list.push(Number(h.record_seq));
      else known.set(k, [Number(h.record_seq)]);
    }
  }
  for (const k of wanted.keys()) {
    const seqs = known.get(k);
    // An unselective key (a common surname on a busy day): other keys decide.
    if (!seqs || seqs.length > MAX_BLOCK) known.set(k, NONE);
  }
  // How many of a row's keys each candidate shares (linkage.closestCandidates), counted in a byte
  // array by record seq: with a Map per row, the dozens of strangers an id's partial key brings
  // made ~20 million map updates at 200,000 rows.
  const out = new Map<number, Set<number>>();
  for (const [i, keys] of keysOf) {
    const touched: number[] = [];
    for (const k of keys) {
      const weight = k.startsWith('w') ? WHOLE_VALUE_WEIGHT : 1;
      for (const s of known.get(k)!) {
        if (s >= b.tally.length) b.tally = grown(b.tally, s);
        if (b.tally[s] === 0) touched.push(s);
        b.tally[s] = Math.min(255, b.tally[s]! + weight);
      }
    }
    out.set(i, new Set(closestOf(touched, (s) => b.tally[s]!)));
    for (const s of touched) b.tally[s] = 0;
  }
  return out;
}

/**
 * What a trace's blocking keeps from chunk to chunk: each key's records, once looked up, and a zeroed tally by
 * record seq.
 */
export interface Blocking {
  readonly known: Map<string, readonly number[]>;
  tally: Uint8Array;
}
const NONE: readonly number[] = Object.freeze([]);

function grown(a: Uint8Array, seq: number): Uint8Array {
  const b = new Uint8Array(Math.max(seq + 1, 2 * a.length));
  b.set(a);
  return b;
}
