/**
 * A leaked row, normalised for comparison: each cell becomes an observation of a target (a field,
 * or a kind when the column does not say whose value it is) in a comparable form — phones and ids
 * as fixed-length patterns with '*' where masked, names NFC with '*' masks, times as a local
 * (UTC+8) date and, when given, minute. Pure.
 */
import { MASK, type Target } from './columns.ts';
import { normaliseMobile } from '../schema/mobile.ts';
import type { BlockMaterial } from '../schema/blocking.ts';
import { localDateTime } from '../schema/local-date.ts';

export type Observed =
  | { readonly kind: 'mobile'; readonly pattern: string }
  | { readonly kind: 'residentId'; readonly pattern: string }
  | { readonly kind: 'personName'; readonly name: string }
  | { readonly kind: 'dateTime'; readonly date: string; readonly minute?: string }
  | { readonly kind: 'sex'; readonly sex: 'male' | 'female' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'address'; readonly text: string; readonly masked: boolean };

export interface Observation {
  readonly target: Target;
  readonly value: Observed;
}

export interface LeakRow {
  /** Row number in the file (header = 1), or line number of pasted text. */
  readonly line: number;
  readonly obs: readonly Observation[];
  /** For complaint sets: when the call came (ISO 8601). */
  readonly calledAt?: string;
  /** Fields whose column is in the leak but empty in this row (the value did not exist yet, perhaps). */
  readonly empty: readonly string[];
  /** The cells under our field names, as written (fingerprint marks and canaries are read from these). */
  readonly cells: Readonly<Record<string, string>>;
}

const KIND_OF: Partial<Record<Target, Observed['kind']>> = {
  babyName: 'personName',
  motherName: 'personName',
  fatherName: 'personName',
  ownerName: 'personName',
  '*name': 'personName',
  motherPhone: 'mobile',
  fatherPhone: 'mobile',
  ownerPhone: 'mobile',
  '*phone': 'mobile',
  babyResidentId: 'residentId',
  motherResidentId: 'residentId',
  fatherResidentId: 'residentId',
  ownerResidentId: 'residentId',
  '*residentId': 'residentId',
  birthTime: 'dateTime',
  dischargeTime: 'dateTime',
  registeredAt: 'dateTime',
  babySex: 'sex',
  hospital: 'text',
  ward: 'text',
  bed: 'text',
  birthCertificateNo: 'text',
  plateNumber: 'text',
  brand: 'text',
  address: 'address',
};

const two = (n: number) => String(n).padStart(2, '0');

const WHEN = new RegExp(
  /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?/.source +
    /(?:[T\s]*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?)?分?)?/.source +
    /\s*(Z|[+-]\d{2}:?\d{2})?$/.source,
);

/** A date or date-time as people write it, to a local (UTC+8) date and minute. */
export function parseWhen(raw: string): { date: string; minute?: string; iso: string } | undefined {
  const v = raw.normalize('NFKC').trim();
  const m = WHEN.exec(v);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, off] = [m[1]!, m[2]!, m[3]!, m[4], m[5], m[6], m[7]];
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return undefined;
  if (h === undefined) {
    const date = `${y}-${two(Number(mo))}-${two(Number(d))}`;
    return { date, iso: `${date}T00:00:00+08:00` };
  }
  const offset =
    off === undefined ? '+08:00' : off === 'Z' ? 'Z' : off.length === 5 ? `${off.slice(0, 3)}:${off.slice(3)}` : off;
  const iso =
    `${y}-${two(Number(mo))}-${two(Number(d))}` +
    `T${two(Number(h))}:${two(Number(mi))}:${two(Number(s ?? 0))}${offset}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  const local = localDateTime(ms);
  return { date: local.slice(0, 10), minute: local.slice(11, 16), iso };
}

/** Normalises one cell for a target; undefined when it is empty or unreadable as that kind. */
export function observe(target: Target, raw: string): Observed | undefined {
  const kind = KIND_OF[target];
  const v = raw.normalize('NFC').trim();
  if (!kind || v === '' || /^(null|undefined|n\/a|-|无)$/i.test(v)) return undefined;
  switch (kind) {
    case 'mobile': {
      const p = normaliseMobile(v.normalize('NFKC')).replace(MASK, '*').replace(/[xX]/g, '*');
      return /^1[\d*]{10}$/.test(p) ? { kind, pattern: p } : undefined;
    }
    case 'residentId': {
      let p = v.normalize('NFKC').toUpperCase().replace(/\s/g, '').replace(MASK, '*');
      // A 15-digit id (before 1999) is the 18-digit one without the century and check character.
      if (/^[\d*]{15}$/.test(p)) p = `${p.slice(0, 6)}19${p.slice(6)}*`;
      return /^[\d*]{17}[\dX*]$/.test(p) ? { kind, pattern: p } : undefined;
    }
    case 'personName': {
      const name = v
        .replace(/\s+/g, '')
        .replace(/[＊×✱]/gu, '*')
        .replace(/[•‧・]/gu, '·');
      return name === '' ? undefined : { kind, name };
    }
    case 'dateTime': {
      const w = parseWhen(v);
      return w ? { kind, date: w.date, minute: w.minute } : undefined;
    }
    case 'sex': {
      const s = v.toLowerCase();
      if (/^(男|male|m|男婴|男孩|1)$/.test(s)) return { kind, sex: 'male' };
      if (/^(女|female|f|女婴|女孩|2)$/.test(s)) return { kind, sex: 'female' };
      return undefined;
    }
    case 'address': {
      const text = v.normalize('NFKC').replace(/\s+/g, '').replace(MASK, '*');
      return { kind, text: text.replace(/\*+$/, ''), masked: text.includes('*') };
    }
    default:
      return { kind, text: v.normalize('NFKC').replace(/\s+/g, '').toUpperCase() };
  }
}

/** A row from its cells and their columns' targets. */
export function leakRow(line: number, targets: readonly (Target | undefined)[], cells: readonly string[]): LeakRow {
  const obs: Observation[] = [];
  const named: Record<string, string> = {};
  let calledAt: string | undefined;
  const empty: string[] = [];
  targets.forEach((t, i) => {
    const raw = cells[i] ?? '';
    if (t && !t.startsWith('*') && raw.trim() === '') empty.push(t);
    if (!t || raw.trim() === '') return;
    if (t === 'calledAt') {
      calledAt = parseWhen(raw)?.iso ?? calledAt;
      return;
    }
    const value = observe(t, raw);
    if (value) obs.push({ target: t, value });
    const field =
      t === '*phone' ? 'motherPhone' : t === '*name' ? 'motherName' : t === '*residentId' ? 'motherResidentId' : t;
    if (!(field in named)) named[field] = raw;
  });
  return { line, obs, calledAt, empty, cells: named };
}

/** The blocking material of a leaked row (schema/blocking.ts). */
export function rowMaterial(row: LeakRow): BlockMaterial {
  const phones: string[] = [],
    ids: string[] = [];
  let birthDate: string | undefined,
    hospital: string | undefined,
    motherName: string | undefined,
    surname: string | undefined;
  const names: string[] = [];
  for (const o of row.obs) {
    const v = o.value;
    if (v.kind === 'mobile') phones.push(v.pattern);
    else if (v.kind === 'residentId') ids.push(v.pattern);
    else if (v.kind === 'dateTime' && o.target === 'birthTime') birthDate = v.date;
    else if (v.kind === 'text' && o.target === 'hospital') hospital = v.text;
    else if (v.kind === 'personName' && (o.target === 'motherName' || o.target === 'ownerName')) motherName = v.name;
    else if (v.kind === 'personName' && o.target === '*name') names.push(v.name);
  }
  // A name of unknown owner may be the mother's: block on it too (a wrong guess only adds candidates).
  const mother = motherName ?? names[0];
  if (mother && mother.includes('*')) {
    surname = [...mother][0];
    motherName = undefined;
  } else motherName = mother;
  return { phones, residentIds: ids, birthDate, hospital, motherName, motherSurname: surname };
}
