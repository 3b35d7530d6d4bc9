/**
 * Blocking keys for record linkage (Christen, "Data Matching", 2012, ch. 4): coarse keys that a
 * leaked row and the record it came from share even when the row is masked or mistyped, so that a
 * leak is compared with a few candidate records rather than the whole registry. A record gets the
 * keys of every state it has been in (every version counts: a leak may be old). The vault stores
 * them as keyed hashes (blind_index, label `block`): they are as secret as any other index.
 *
 * - `t`  a mobile's first 3 and last 4 digits (what 138****5678 keeps);
 * - `i`  a resident id's first 6 and last 4 characters;
 * - `h`  birth date + hospital;
 * - `s`  birth date + the sound of the mother's surname (both its readings);
 * - `m`  the fuzzy pinyin of the mother's whole name + birth month.
 */
import { fuzzyKey, surnameReadings } from './pinyin.ts';
import { localDate } from './local-date.ts';

export interface BlockMaterial {
  /** 11-character patterns: digits, or '*' where masked. */
  readonly phones: readonly string[];
  /** 18-character patterns: digits and X, or '*' where masked. */
  readonly residentIds: readonly string[];
  /** Local (UTC+8) calendar date of birth, YYYY-MM-DD. */
  readonly birthDate?: string;
  readonly hospital?: string;
  /** The mother's (or owner's) whole name, when it is in clear. */
  readonly motherName?: string;
  /** Her surname's first character, when only that is in clear (a masked name). */
  readonly motherSurname?: string;
}

const visible = (s: string | undefined) => s !== undefined && s !== '' && !s.includes('*');

export function hospitalKey(h: string): string {
  return h.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/**
 * The keys of some material: all of them, or one tier — `precise` (t, i: one or two records even
 * among millions) or `broad` (h, s, m), which a trace asks only for rows the precise ones left.
 */
export function blockKeys(m: BlockMaterial, tier?: 'precise' | 'broad'): string[] {
  const out = new Set<string>();
  for (const p of m.phones) {
    if (p.length === 11 && visible(p.slice(0, 3)) && visible(p.slice(7))) out.add(`t:${p.slice(0, 3)}${p.slice(7)}`);
  }
  for (const id of m.residentIds) {
    if (id.length === 18 && visible(id.slice(0, 6)) && visible(id.slice(14)))
      out.add(`i:${id.slice(0, 6)}${id.slice(14)}`);
  }
  if (tier === 'precise') return [...out];
  if (tier === 'broad') out.clear();
  if (m.birthDate) {
    if (m.hospital) out.add(`h:${m.birthDate}|${hospitalKey(m.hospital)}`);
    const surname = m.motherName ?? m.motherSurname;
    if (surname && visible([...surname][0]))
      for (const r of surnameReadings([...surname][0]!)) out.add(`s:${m.birthDate}|${r}`);
    if (m.motherName && visible(m.motherName)) out.add(`m:${fuzzyKey(m.motherName)}|${m.birthDate.slice(0, 7)}`);
  }
  return [...out];
}

/** The local (UTC+8) calendar date of an ISO 8601 date-time with offset. */
function localDateOf(iso: string): string | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : localDate(ms);
}

/** The material of a record state (field name to value). */
export function recordMaterial(values: ReadonlyMap<string, unknown>): BlockMaterial {
  const str = (f: string) => {
    const v = values.get(f);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const birth = str('birthTime');
  return {
    phones: ['motherPhone', 'fatherPhone', 'ownerPhone'].map(str).filter((v): v is string => v !== undefined),
    residentIds: ['motherResidentId', 'fatherResidentId', 'babyResidentId', 'ownerResidentId']
      .map(str)
      .filter((v): v is string => v !== undefined),
    birthDate: birth && localDateOf(birth),
    hospital: str('hospital'),
    motherName: str('motherName') ?? str('ownerName'),
  };
}
