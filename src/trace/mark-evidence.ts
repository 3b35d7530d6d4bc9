/**
 * Fingerprint-mark evidence for a trace: the marks read from the leaked rows, scored against the
 * codeword of every marked disclosure (and every principal's reveals) that gave linked records.
 */
import type { Registry } from '../store/registry.ts';
import {
  DISCLOSURE_KEY_LABEL,
  contradictedRows,
  observe as observeMarks,
  PRINCIPAL_SCHEME,
  REVEAL_KEY_LABEL,
  scoreOwnPositions,
  SCHEME,
  type MarkedSource,
} from '../disclose/marks.ts';
import { virtualKey } from '../disclose/fingerprint.ts';
import type { TardosCode } from '../disclose/tardos.ts';
import { BIRTH } from '../schema/record-type.ts';
import type { LeakRow } from './leak-row.ts';
import type { Link } from './linkage.ts';
import { receivedBy, type SourceInput } from './evidence.ts';

/**
 * The fingerprint bound of every marked disclosure that gave linked records, and the leaked rows
 * whose marks contradict a disclosure's codeword (by leaked row: the disclosure ids). Candidates
 * are the codewords: one per marked export (SCHEME) and one per principal for all its reveals
 * (PRINCIPAL_SCHEME, the bound then applies to each of its reveals); each is scored over the
 * positions it could have marked (scoreOwnPositions, contradictedRows).
 */
export function markEvidence(
  reg: Registry,
  code: TardosCode,
  srcs: readonly SourceInput[],
  rows: readonly LeakRow[],
  linked: readonly { l: Link; i: number }[],
) {
  const fingerprints = new Map<string, number>();
  const contradicts = new Map<number, Set<string>>();
  const observed = observeMarks(
    BIRTH,
    rows.map((r) => r.cells),
  );
  if (observed.size === 0) return { fingerprints, contradicts };
  const candidates: MarkedSource[] = [];
  const members = new Map<string, string[]>();
  for (const s of srcs) {
    const reveals = s.disclosures.filter((d) => d.fingerprint === PRINCIPAL_SCHEME);
    for (const d of s.disclosures)
      if (d.fingerprint === SCHEME)
        candidates.push({ id: d.id, key: reg.keys.keyedId(DISCLOSURE_KEY_LABEL, d.id), received: receivedBy([d]) });
    if (reveals.length > 0) {
      candidates.push({
        id: `principal:${s.principalId}`,
        key: reg.keys.keyedId(REVEAL_KEY_LABEL, s.principalId),
        received: receivedBy(reveals),
      });
      members.set(
        `principal:${s.principalId}`,
        reveals.map((d) => d.id),
      );
    }
  }
  const rowsOf = new Map<number, number[]>();
  for (const { l, i } of linked) (rowsOf.get(l.seq) ?? rowsOf.set(l.seq, []).get(l.seq)!).push(i);
  const vkeys = rows.map((r) => virtualKey(r.cells));
  const tails = scoreOwnPositions(code, observed, vkeys, rowsOf, candidates);
  for (const [id, tail] of tails) for (const d of members.get(id) ?? [id]) fingerprints.set(d, tail);
  for (const [i, ids] of contradictedRows(code, observed, vkeys, rowsOf, candidates, tails))
    contradicts.set(i, new Set([...ids].flatMap((id) => members.get(id) ?? [id])));
  return { fingerprints, contradicts };
}
