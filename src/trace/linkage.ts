/**
 * Linking leaked rows to record versions, Fellegi–Sunter (JASA 64(328), 1969): each observed value
 * is compared with every version of the fields it may be, at graded levels of agreement (exact,
 * masked, homophone, fuzzy pinyin, one typo or transposition, adjacent day, disagree); a level's
 * weight is log2(m/u), m the chance of that level for a true match (with field noise), u for a
 * random record — for names the name's frequency in the registry (term-frequency adjustment,
 * Winkler 1989). A row links to its best candidate when the total weight passes the threshold and
 * beats the runner-up by the margin; the versions it matched say which state of the record it
 * shows and when that state held. Pure.
 */
import type { FieldValue } from '../schema/field-kind.ts';
import { fuzzyKey, pinyinKey, surnameReadings } from '../schema/pinyin.ts';
import { localDateTime } from '../schema/local-date.ts';
import type { LeakRow, Observed } from './leak-row.ts';
import type { Target } from './columns.ts';

export interface VersionedValue {
  readonly field: string;
  readonly version: number;
  readonly value: FieldValue;
  readonly validFrom: string;
  /** When the next version took over; null while current. */
  readonly validTo: string | null;
  readonly recordedAt: string;
}

/** A record with all its versions, as linkage needs it. */
export interface CandidateRecord {
  readonly seq: number;
  readonly id: string;
  readonly orgId: string | null;
  readonly createdAt: string;
  readonly versions: readonly VersionedValue[];
}

export interface TermFrequencies {
  /** Fraction of records with this exact name (in any name field); undefined when unknown. */
  name(name: string): number | undefined;
  /** Number of hospitals (u of a hospital agreement is about its inverse). */
  readonly hospitals: number;
}

export type Level = 'exact' | 'masked' | 'homophone' | 'fuzzy' | 'partial' | 'typo' | 'date' | 'adjacent' | 'disagree';

export interface FieldMatch {
  readonly field: string;
  readonly version: number;
  readonly level: Level;
  readonly weight: number;
  /** The matched version was no longer current (the row shows an old value). */
  readonly stale: boolean;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly recordedAt: string;
}

export interface Link {
  readonly seq: number;
  readonly id: string;
  readonly weight: number;
  /** Weight above the runner-up candidate (Infinity when there was none). */
  readonly margin: number;
  readonly matches: readonly FieldMatch[];
  /** Some matched value is an old version. */
  readonly stale: boolean;
  /** The row has an empty cell for a field this record got a value at this time: the copy is older. */
  readonly emptyBefore?: string;
}

export const DEFAULT_THRESHOLD = 20;
export const DEFAULT_MARGIN = 6;

const FIELDS_OF: Partial<Record<Target, readonly string[]>> = {
  '*name': ['motherName', 'babyName', 'fatherName', 'ownerName'],
  '*phone': ['motherPhone', 'fatherPhone', 'ownerPhone'],
  '*residentId': ['motherResidentId', 'fatherResidentId', 'babyResidentId', 'ownerResidentId'],
};

/** The record fields a linkage of rows with these targets (and empty cells) compares: what a history needs to hold. */
export function fieldsCompared(targets: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const t of targets) for (const f of FIELDS_OF[t as Target] ?? [t]) out.add(f);
  return out;
}

const w = (m: number, u: number) => Math.log2(m / u);

const cache = new Map<string, { py: string; fz: string }>();
function sounds(name: string): { py: string; fz: string } {
  let s = cache.get(name);
  if (!s) {
    if (cache.size > 200_000) cache.clear();
    cache.set(name, (s = { py: pinyinKey(name), fz: fuzzyKey(name) }));
  }
  return s;
}

/** Positions that differ between a pattern (with '*' masks) and a value of the same length; -1 if lengths differ. */
function patternDiff(pattern: string, value: string): { visible: number; diff: number[] } | undefined {
  if (pattern.length !== value.length) return undefined;
  let visible = 0;
  const diff: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*') continue;
    visible++;
    if (pattern[i] !== value[i]) diff.push(i);
  }
  return { visible, diff };
}

const transposed = (p: string, v: string, d: number[]) =>
  d.length === 2 && d[1] === d[0]! + 1 && p[d[0]!] === v[d[1]] && p[d[1]] === v[d[0]!];

function digits(
  o: { pattern: string },
  value: string,
  exactU: number,
  typoU: number,
  maskedU: (visible: number) => number,
): [Level, number] {
  const d = patternDiff(o.pattern, value);
  if (!d) return ['disagree', w(0.05, 1)];
  if (d.diff.length === 0)
    return d.visible === value.length
      ? ['exact', w(0.9, exactU)]
      : ['masked', w(0.9, Math.max(exactU, maskedU(d.visible)))];
  if (d.visible >= value.length - 1 && (d.diff.length === 1 || transposed(o.pattern, value, d.diff)))
    return ['typo', w(0.05, typoU)];
  return ['disagree', w(0.05, 1)];
}

function nameLevel(o: string, stored: string, tf: TermFrequencies): [Level, number] {
  const f = Math.max(tf.name(stored) ?? 1e-4, 1e-6);
  if (o === stored) return ['exact', w(0.85, f)];
  const oc = [...o],
    sc = [...stored];
  if (o.includes('*')) {
    if (oc.length !== sc.length) return ['disagree', w(0.05, 1)];
    let visible = 0;
    for (let i = 0; i < oc.length; i++) {
      if (oc[i] === '*') continue;
      if (oc[i] !== sc[i]) return ['disagree', w(0.05, 1)];
      visible++;
    }
    return visible === 0 ? ['disagree', 0] : ['masked', w(0.9, Math.min(0.5, 10 ** (-1.3 * visible)))];
  }
  const a = sounds(o),
    b = sounds(stored);
  if (a.py === b.py) return ['homophone', w(0.05, Math.max(3 * f, 1e-5))];
  // A polyphonic surname typed by its ordinary reading (单 as dan) still sounds the same to the ear.
  const sa = surnameReadings(o),
    sb = surnameReadings(stored);
  const restA = a.fz.split(' ').slice(1).join(' '),
    restB = b.fz.split(' ').slice(1).join(' ');
  if (a.fz === b.fz || (restA === restB && sa.some((r) => sb.includes(r))))
    return ['fuzzy', w(0.03, Math.max(10 * f, 1e-4))];
  if (oc.length === sc.length && oc.length >= 3 && oc.filter((c, i) => c !== sc[i]).length === 1)
    return ['partial', w(0.03, 1e-3)];
  return ['disagree', w(0.05, 1)];
}

const dayMs = 86_400_000;

function timeLevel(o: { date: string; minute?: string }, stored: string): [Level, number] {
  const ms = Date.parse(stored);
  if (Number.isNaN(ms)) return ['disagree', w(0.05, 1)];
  const local = localDateTime(ms);
  const date = local.slice(0, 10),
    minute = local.slice(11, 16);
  if (o.date === date) {
    if (o.minute === undefined) return ['date', w(0.9, 1 / 365)];
    return o.minute === minute ? ['exact', w(0.9, 1 / (365 * 1440))] : ['date', w(0.04, 1 / 365)];
  }
  if (Math.abs(Date.parse(o.date) - Date.parse(date)) === dayMs) return ['adjacent', w(0.03, 2 / 365)];
  return ['disagree', w(0.05, 1)];
}

function editDistanceAtMost(a: string, b: string, k: number): boolean {
  if (Math.abs(a.length - b.length) > k) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > k) return false;
    prev = cur;
  }
  return prev[b.length]! <= k;
}

const TEXT_U: Record<string, number> = {
  ward: 0.3,
  bed: 0.05,
  birthCertificateNo: 1e-8,
  plateNumber: 1e-7,
  brand: 0.1,
};

/** The level and weight of one observed value against one stored value of `field`. */
export function compareValue(o: Observed, field: string, stored: FieldValue, tf: TermFrequencies): [Level, number] {
  if (typeof stored !== 'string') return ['disagree', 0];
  switch (o.kind) {
    case 'mobile':
      return digits(o, stored, 1e-7, 1e-6, (v) => 10 ** -(v - 2));
    case 'residentId':
      return digits(o, stored, 1e-9, 1e-7, (v) => 10 ** -(v - 4));
    case 'personName':
      return nameLevel(o.name, stored.normalize('NFC'), tf);
    case 'dateTime':
      return timeLevel(o, stored);
    case 'sex':
      return o.sex === stored ? ['exact', w(0.97, 0.5)] : ['disagree', w(0.03, 0.5)];
    case 'address': {
      const s = stored.normalize('NFKC').replace(/\s+/g, '');
      if (!o.masked && o.text === s) return ['exact', w(0.85, 1e-6)];
      if (o.masked && o.text.length >= 4 && s.startsWith(o.text))
        return ['masked', w(0.9, o.text.length >= 12 ? 1e-3 : 0.05)];
      if (!o.masked && s.length >= 10 && editDistanceAtMost(o.text, s, 2)) return ['typo', w(0.05, 1e-5)];
      return ['disagree', w(0.05, 1)];
    }
    case 'text': {
      const s = stored.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
      const u = field === 'hospital' ? 1 / Math.max(2, tf.hospitals) : (TEXT_U[field] ?? 0.01);
      if (o.text === s) return ['exact', w(0.9, u)];
      if (field === 'hospital' && Math.min(o.text.length, s.length) >= 4 && (s.includes(o.text) || o.text.includes(s)))
        return ['partial', w(0.08, u)];
      if (field === 'birthCertificateNo' || field === 'plateNumber')
        return digits({ pattern: o.text }, s, u, u * 10, () => u);
      return ['disagree', w(0.05, field === 'hospital' ? 1 - u : 1)];
    }
  }
}

/** The total weight of a row against a record, and the best-matching version of each field observed. */
export function compareRow(
  row: Pick<LeakRow, 'obs'>,
  rec: CandidateRecord,
  tf: TermFrequencies,
): { weight: number; matches: FieldMatch[] } {
  const byField = new Map<string, VersionedValue[]>();
  for (const v of rec.versions) {
    let list = byField.get(v.field);
    if (!list) byField.set(v.field, (list = []));
    list.push(v);
  }
  let weight = 0;
  const matches: FieldMatch[] = [];
  const used = new Set<string>();
  for (const o of row.obs) {
    const fields = FIELDS_OF[o.target] ?? [o.target];
    let best: FieldMatch | undefined;
    for (const field of fields) {
      if (used.has(field)) continue;
      const list = byField.get(field);
      if (!list) continue;
      const current = list.find((v) => v.validTo === null);
      const currentWeight = current ? compareValue(o.value, field, current.value, tf)[1] : -Infinity;
      for (const v of list) {
        const [level, wt] = compareValue(o.value, field, v.value, tf);
        if (!best || wt > best.weight)
          best = {
            field,
            version: v.version,
            level,
            weight: wt,
            stale: v.validTo !== null && wt > currentWeight,
            validFrom: v.validFrom,
            validTo: v.validTo,
            recordedAt: v.recordedAt,
          };
      }
    }
    if (!best) continue;
    weight += best.weight;
    matches.push(best);
    used.add(best.field);
  }
  return { weight, matches };
}

/** How many blocking keys a whole phone or id counts for (closestCandidates). */
export const WHOLE_VALUE_WEIGHT = 2;

/** A row's whole (unmasked) phones and resident ids: blocked on as they are, each WHOLE_VALUE_WEIGHT keys. */
export function wholeValues(row: LeakRow): { scope: 'phone' | 'residentId'; value: string }[] {
  const out: { scope: 'phone' | 'residentId'; value: string }[] = [];
  for (const o of row.obs) {
    if (o.value.kind === 'mobile' && !o.value.pattern.includes('*'))
      out.push({ scope: 'phone', value: o.value.pattern });
    if (o.value.kind === 'residentId' && !o.value.pattern.includes('*'))
      out.push({ scope: 'residentId', value: o.value.pattern });
  }
  return out;
}

/**
 * The candidates a row is compared with, from how many of its blocking keys each shares: those
 * within one key of the best. The record a row came from shares nearly all of them (a phone's 3+4
 * digits and the full phone, an id's 6+4 and the full id…), a chance collision one — at a million
 * records a partial phone or id alone brings a dozen strangers per row. One key of slack keeps the
 * source of a row with one stale or mistyped value. A whole phone or id counts WHOLE_VALUE_WEIGHT
 * keys: the record that has it also has its partial keys, so a row whose only precise value is one
 * id keeps its record and not the strangers that share the id's partial key.
 */
export function closestCandidates(hits: ReadonlyMap<number, number>): number[] {
  return closestOf([...hits.keys()], (s) => hits.get(s)!);
}

/** closestCandidates over candidates and a count of each (trace.ts keeps its counts in a byte array). */
export function closestOf(seqs: readonly number[], count: (seq: number) => number): number[] {
  let best = 0;
  for (const s of seqs) best = Math.max(best, count(s));
  return seqs.filter((s) => count(s) >= best - 1);
}

/**
 * Links a row to the best of its candidates, or to none: the best must reach `threshold` bits and
 * beat the runner-up by `margin` bits.
 */
export function linkRow(
  row: Pick<LeakRow, 'obs' | 'empty'>,
  candidates: readonly CandidateRecord[],
  tf: TermFrequencies,
  opts: { threshold?: number; margin?: number } = {},
): Link | undefined {
  let best: { rec: CandidateRecord; weight: number; matches: FieldMatch[] } | undefined;
  let second = -Infinity;
  for (const rec of candidates) {
    const r = compareRow(row, rec, tf);
    if (!best || r.weight > best.weight) {
      if (best) second = Math.max(second, best.weight);
      best = { rec, ...r };
    } else second = Math.max(second, r.weight);
  }
  if (
    !best ||
    best.weight < (opts.threshold ?? DEFAULT_THRESHOLD) ||
    best.weight - second < (opts.margin ?? DEFAULT_MARGIN)
  )
    return undefined;
  // An empty cell says "not yet" only for a value the record got after it was created (a discharge
  // time, a certificate number); for one it had from the start, it says "left out" or "masked".
  let emptyBefore: string | undefined;
  const created = best.rec.versions.reduce(
    (m, v) => (v.validFrom < m ? v.validFrom : m),
    best.rec.versions[0]?.validFrom ?? '',
  );
  for (const f of row.empty) {
    const first = best.rec.versions
      .filter((v) => v.field === f)
      .map((v) => v.validFrom)
      .sort()[0];
    if (
      first &&
      Date.parse(first) > Date.parse(created) &&
      (!emptyBefore || Date.parse(first) < Date.parse(emptyBefore))
    )
      emptyBefore = first;
  }
  return {
    emptyBefore,
    seq: best.rec.seq,
    id: best.rec.id,
    weight: best.weight,
    margin: best.weight - second,
    matches: best.matches.filter((m) => m.level !== 'disagree'),
    stale: best.matches.some((m) => m.stale && m.level !== 'disagree'),
  };
}
