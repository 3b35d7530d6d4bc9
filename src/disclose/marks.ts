/**
 * Marking a disclosure and reading marks back. A disclosed row's values are written in the
 * renderings its disclosure's codeword picks (fingerprint.ts, tardos.ts); a leaked table is read
 * back into observed symbols per position, and every candidate disclosure gets a score and the
 * bound on the chance that an innocent one scores as high.
 */

import type { FieldKind, FieldValue } from '../schema/field-kind.ts';
import { fieldDef, type RecordType } from '../schema/record-type.ts';
import { channelFor, position, virtualKey, type Symbol01 } from './fingerprint.ts';
import { chernoffTail, scoreTerm, type TardosCode } from './tardos.ts';

/** The scheme recorded with each marked disclosure: the codeword's key derives from the disclosure id. */
export const SCHEME = 'tardos-v1';
/**
 * The scheme of API reveals: one codeword for every reveal to a principal (a batch of reveals to
 * one recipient), its key derived from the principal id, so that a list assembled from many
 * single-record reveals carries one codeword throughout.
 */
export const PRINCIPAL_SCHEME = 'tardos-v1-principal';
/**
 * Labels of the keyed derivations (Keyring.keyedId) of codeword keys: of a disclosure id (SCHEME), of a principal
 * id (PRINCIPAL_SCHEME).
 */
export const DISCLOSURE_KEY_LABEL = 'fingerprint-disclosure';
export const REVEAL_KEY_LABEL = 'fingerprint-principal';
/**
 * The kinds marked in API reveals: JSON clients compare and parse what they receive, so only the
 * renderings that any client already normalises (digit grouping in phones, full-width house
 * numbers) are used there; ISO 8601 times and dates, and the sex codes, are left as stored.
 */
export const API_MARKED_KINDS: ReadonlySet<FieldKind> = new Set(['mobile', 'address']);

/** A row as disclosed: each value that has a channel in its symbol's rendering, the others as stored. */
export function markRow(
  type: RecordType,
  row: Readonly<Record<string, FieldValue>>,
  code: TardosCode,
  disclosureKey: Uint8Array,
  kinds?: ReadonlySet<FieldKind>,
): Record<string, FieldValue> {
  const vkey = virtualKey(row);
  if (vkey === undefined) return { ...row };
  const out: Record<string, FieldValue> = {};
  for (const [field, value] of Object.entries(row)) {
    const kind = fieldDef(type, field)?.kind;
    const marked = kind !== undefined && (kinds === undefined || kinds.has(kind));
    const rendered = marked
      ? channelFor(kind)?.render(value, code.symbol(disclosureKey, position(vkey, field)))
      : undefined;
    // A list stays a list (its dates rewritten); the rest are text.
    out[field] =
      rendered === undefined ? value : kind === 'vaccinations' ? (JSON.parse(rendered) as FieldValue) : rendered;
  }
  return out;
}

/**
 * The symbols a leaked table carries, by position. Cells are read as text (a list may arrive as
 * its JSON). A position seen with both symbols (merged copies) counts as missing.
 */
export function observe(type: RecordType, rows: readonly Readonly<Record<string, unknown>>[]): Map<string, Symbol01> {
  const seen = new Map<string, Symbol01 | null>();
  for (const row of rows) {
    const vkey = virtualKey(row);
    if (vkey === undefined) continue;
    for (const [field, cell] of Object.entries(row)) {
      const def = fieldDef(type, field);
      const channel = def && channelFor(def.kind);
      if (!channel) continue;
      const text = typeof cell === 'string' ? cell : cell === undefined || cell === null ? '' : JSON.stringify(cell);
      const y = channel.detect(text);
      if (y === undefined) continue;
      const pos = position(vkey, field);
      const before = seen.get(pos);
      seen.set(pos, before === undefined || before === y ? y : null);
    }
  }
  const out = new Map<string, Symbol01>();
  for (const [pos, y] of seen) if (y !== null) out.set(pos, y);
  return out;
}

export interface Candidate {
  readonly id: string;
  readonly key: Uint8Array;
}

export interface CandidateScore {
  readonly id: string;
  readonly score: number;
  /** Observed positions scored. */
  readonly positions: number;
  /** Bound on the chance that an innocent disclosure scores this high (Chernoff, exact per-term MGFs). */
  readonly tail: number;
}

interface Observation {
  readonly pos: string;
  readonly y: Symbol01;
  /** The position's bias. */
  readonly p: number;
}

/** A codeword's symmetric score over some observations. */
function scoreOf(code: TardosCode, key: Uint8Array, obs: Iterable<Observation>): number {
  let score = 0;
  for (const o of obs) score += scoreTerm(code.symbol(key, o.pos, o.p), o.y, o.p);
  return score;
}

/** Every candidate's score over the observed positions, highest first. */
export function scoreCandidates(
  code: TardosCode,
  observed: ReadonlyMap<string, Symbol01>,
  candidates: readonly Candidate[],
): CandidateScore[] {
  const obs = [...observed].map(([pos, y]) => ({ pos, y, p: code.bias(pos) }));
  const tail = chernoffTail(obs);
  return candidates
    .map((c) => {
      const score = scoreOf(code, c.key, obs);
      return { id: c.id, score, positions: obs.length, tail: tail(score) };
    })
    .sort((a, b) => b.score - a.score);
}

export interface MarkedSource {
  readonly id: string;
  readonly key: Uint8Array;
  /** What it received: record (seq) → the fields it got of it (read more than once: not a one-shot iterator). */
  readonly received: Iterable<readonly [number, Iterable<string>]>;
}

/**
 * Every candidate scored over its own positions only: the fields of the leaked rows linked to
 * records it received (`rowsOf`: record seq → leaked rows; `vkeys`: each leaked row's virtual
 * key). Which positions are scored depends on the linkage and on what the candidate received,
 * never on its codeword, so an innocent candidate's score still follows the null distribution
 * over those positions and the tail bound holds; positions it never marked would only add noise
 * (and a code symbol each to compute). At most `maxPositions` a candidate are scored, the first
 * in the order it received them (again chosen without its codeword): a source that marked that
 * many is past any threshold (its bound is clamped at 10^-300 in evidence), and the export behind
 * a 200,000-row leak would otherwise cost a million keyed hashes. Returns each candidate's bound (1
 * when nothing is scored).
 */
export function scoreOwnPositions(
  code: TardosCode,
  observed: ReadonlyMap<string, Symbol01>,
  vkeys: readonly (string | undefined)[],
  rowsOf: ReadonlyMap<number, readonly number[]>,
  candidates: readonly MarkedSource[],
  maxPositions = 20_000,
): Map<string, number> {
  const out = new Map<string, number>();
  if (observed.size === 0) return out;
  // A position's bias is the same for every candidate: derived once.
  const biases = new Map<string, number>();
  for (const c of candidates) {
    const own = [...ownObservations(code, observed, vkeys, rowsOf, c, biases, maxPositions).values()];
    const score = scoreOf(code, c.key, own);
    out.set(c.id, own.length === 0 || score <= 0 ? 1 : chernoffTail(own)(score));
  }
  return out;
}

interface OwnObservation extends Observation {
  readonly field: string;
  /** The leaked row it was read from. */
  readonly row: number;
}

/** The observed positions a candidate could have marked (see scoreOwnPositions), at most `max`, by position. */
function ownObservations(
  code: TardosCode,
  observed: ReadonlyMap<string, Symbol01>,
  vkeys: readonly (string | undefined)[],
  rowsOf: ReadonlyMap<number, readonly number[]>,
  c: MarkedSource,
  biases: Map<string, number>,
  max: number,
  fields?: ReadonlySet<string>,
): Map<string, OwnObservation> {
  const own = new Map<string, OwnObservation>();
  for (const [seq, received] of c.received) {
    if (own.size >= max) break;
    const rows = rowsOf.get(seq);
    if (!rows) continue;
    for (const field of received) {
      if (fields && !fields.has(field)) continue;
      for (const row of rows) {
        const vkey = vkeys[row];
        const pos = vkey === undefined ? undefined : position(vkey, field);
        const y = pos === undefined ? undefined : observed.get(pos);
        if (y === undefined || own.has(pos!) || own.size >= max) continue;
        let p = biases.get(pos!);
        if (p === undefined) biases.set(pos!, (p = code.bias(pos!)));
        own.set(pos!, { pos: pos!, y, p, field, row });
      }
    }
  }
  return own;
}

/** A candidate's bound at or under this is taken as proof that the leak carries its marks. */
export const VERIFIED_TAIL = 1e-6;
/**
 * A field's marks count as intact when a verified candidate's score over that field alone is this unlikely for an
 * innocent.
 */
const INTACT_TAIL = 1e-3;
/** The chance that a marked value reached the leak in the other rendering (retyped, partly re-rendered). */
const FLIP = 0.02;
/** log10 odds against a row having come from a candidate's copy at which it is contradicted (100 : 1). */
export const CONTRADICTION_LOG10 = -2;

/**
 * The leaked rows whose marks contradict a candidate's codeword: evidence that the row did not
 * come from that candidate's copy, for the rivals of a source whose marks the leak shows.
 *
 * Used only where the marks are shown to have survived: some candidate is verified (bound at most
 * VERIFIED_TAIL), and only the fields on which a verified candidate also scores on their own
 * (bound INTACT_TAIL) are read — a leaker who re-rendered a field (spaces to dashes) flips its
 * own symbols there, and reading that field would contradict everyone marked and leave an
 * unmarked innocent as the only consistent source. Verified candidates are never contradicted.
 *
 * For an unverified candidate c and each of its positions in a row (bias p, observed y, c's symbol
 * x): if the row came from c's copy, x = y but for a flip (FLIP); if not, x is c's own random
 * symbol, equal to y with probability q = P(x = y) (p when y = 1, 1 − p when y = 0). The row's
 * log10 likelihood ratio sums log10((1 − FLIP) / q) where they agree and log10(FLIP / (1 − q))
 * where they differ; at CONTRADICTION_LOG10 or below the row is contradicted. At most
 * `maxPositions` a candidate are read (rows past them stay uncontradicted).
 * Returns, by leaked row, the ids of the candidates it contradicts.
 */
export function contradictedRows(
  code: TardosCode,
  observed: ReadonlyMap<string, Symbol01>,
  vkeys: readonly (string | undefined)[],
  rowsOf: ReadonlyMap<number, readonly number[]>,
  candidates: readonly MarkedSource[],
  tails: ReadonlyMap<string, number>,
  maxPositions = 100_000,
): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  const verified = candidates.filter((c) => (tails.get(c.id) ?? 1) <= VERIFIED_TAIL);
  if (verified.length === 0) return out;
  const biases = new Map<string, number>();
  const intact = new Set<string>();
  for (const v of verified) {
    const byField = new Map<string, OwnObservation[]>();
    for (const o of ownObservations(code, observed, vkeys, rowsOf, v, biases, 20_000).values())
      (byField.get(o.field) ?? byField.set(o.field, []).get(o.field)!).push(o);
    for (const [field, obs] of byField)
      if (chernoffTail(obs)(scoreOf(code, v.key, obs)) <= INTACT_TAIL) intact.add(field);
  }
  if (intact.size === 0) return out;
  for (const c of candidates) {
    if ((tails.get(c.id) ?? 1) <= VERIFIED_TAIL) continue;
    const llr = new Map<number, number>();
    for (const o of ownObservations(code, observed, vkeys, rowsOf, c, biases, maxPositions, intact).values()) {
      const q = o.y === 1 ? o.p : 1 - o.p;
      const term = code.symbol(c.key, o.pos, o.p) === o.y ? Math.log10((1 - FLIP) / q) : Math.log10(FLIP / (1 - q));
      llr.set(o.row, (llr.get(o.row) ?? 0) + term);
    }
    for (const [row, l] of llr)
      if (l <= CONTRADICTION_LOG10) (out.get(row) ?? out.set(row, new Set()).get(row)!).add(c.id);
  }
  return out;
}

/**
 * The candidates accused at a false-accusation bound `epsilon` for the whole list (Bonferroni:
 * each at epsilon / candidates).
 */
export function accused(scores: readonly CandidateScore[], epsilon: number): CandidateScore[] {
  return scores.filter((s) => s.tail <= epsilon / Math.max(1, scores.length));
}
