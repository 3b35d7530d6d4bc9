/**
 * Field kinds: what a value is (a name, a mobile number, an id...), how it is validated and
 * normalised, how it is masked, and which blind index (if any) makes it searchable.
 */
import { parseAddress } from './address.ts';
import { parseDate, parseDateTime } from './date-time.ts';
import {
  maskAddress,
  maskBed,
  maskCode,
  maskDate,
  maskDateTime,
  maskMobile,
  maskPersonName,
  maskPlate,
  maskResidentId,
  maskSex,
} from './mask.ts';
import { parseMobile } from './mobile.ts';
import { parsePersonName } from './person-name.ts';
import { parseResidentId } from './resident-id.ts';
import { vaccineByName } from './vaccines.ts';

export type FieldKind =
  | 'personName'
  | 'sex'
  | 'dateTime'
  | 'date'
  | 'residentId'
  | 'code'
  | 'text'
  | 'bed'
  | 'mobile'
  | 'address'
  | 'plate'
  | 'vaccinations';

export type Sensitivity = 'public' | 'personal' | 'sensitive';

export interface Vaccination {
  /** The code (./vaccines.ts), as stored. */
  readonly vaccine: string;
  /** The vaccine's Chinese name: in renderings for people (disclose/render.ts), never stored. */
  readonly name?: string;
  readonly dose: number;
  readonly date: string;
  readonly clinic: string;
}

/** A normalised field value: a string for every kind but vaccinations, a list there. */
export type FieldValue = string | readonly Vaccination[];

/** Scopes of blind indexes: values of different fields of one scope are searchable together. */
export type IndexScope = 'phone' | 'residentId' | 'name' | 'plate';

export type ParseResult = { ok: true; value: FieldValue; warnings: readonly string[] } | { ok: false; rule: string };

export interface ValidationContext {
  readonly now: Date;
}

export interface KindSpec {
  readonly parse: (input: unknown, ctx: ValidationContext) => ParseResult;
  readonly mask: (value: FieldValue) => FieldValue;
  readonly index?: IndexScope;
}

const ok = (value: FieldValue, warnings: readonly string[] = []): ParseResult => ({ ok: true, value, warnings });
const bad = (rule: string): ParseResult => ({ ok: false, rule });

function asText(input: unknown, kind: string): string | ParseResult {
  if (typeof input === 'number' && Number.isFinite(input)) return String(input);
  if (typeof input !== 'string') return bad(`${kind}.type`);
  if (input.includes('*')) return bad(`${kind}.masked`);
  return input;
}

/** Wraps a string parser so it takes unknown input and refuses masked values fed back in. */
function stringKind(
  kind: string,
  parse: (s: string, ctx: ValidationContext) => ParseResult,
  mask: (s: string) => string,
  index?: IndexScope,
): KindSpec {
  return {
    parse: (input, ctx) => {
      const s = asText(input, kind);
      return typeof s === 'string' ? parse(s, ctx) : s;
    },
    mask: (v) => (typeof v === 'string' ? mask(v) : '****'),
    index,
  };
}

const SEX: Record<string, string> = {
  male: 'male',
  m: 'male',
  男: 'male',
  '1': 'male',
  female: 'female',
  f: 'female',
  女: 'female',
  '2': 'female',
  unknown: 'unknown',
  未知: 'unknown',
  '0': 'unknown',
  '9': 'unknown',
};

function plainText(s: string, max: number, kind: string): ParseResult {
  const v = s.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (v.length === 0) return bad(`${kind}.empty`);
  if (/\p{Cc}/u.test(v)) return bad(`${kind}.chars`);
  // Length in code points; only text with surrogate pairs needs counting.
  if (v.length > max && (v.length > 2 * max || [...v].length > max)) return bad(`${kind}.length`);
  return ok(v);
}

/**
 * A list of doses `{ vaccine, dose, date, clinic }` (or its JSON text, as a spreadsheet cell holds it).
 * The vaccine is any name of ./vaccines.ts; an unknown one is refused (`vaccinations.vaccine`).
 */
function parseVaccinations(input: unknown, ctx: ValidationContext): ParseResult {
  let list = input;
  if (typeof input === 'string') {
    try {
      list = input.trim() === '' ? [] : JSON.parse(input);
    } catch {
      return bad('vaccinations.format');
    }
  }
  if (!Array.isArray(list) || list.length > 100) return bad('vaccinations.format');
  const out: Vaccination[] = [];
  const seen = new Map<string, ParseResult>();
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) return bad('vaccinations.format');
    const { vaccine: named, dose, date, clinic } = item as Record<string, unknown>;
    // A code ('HepB'), a Chinese name ('乙肝疫苗') or an abbreviation ('乙肝'): the code is stored.
    const vaccine = typeof named === 'string' ? vaccineByName(named)?.code : undefined;
    if (vaccine === undefined) return bad('vaccinations.vaccine');
    const n = typeof dose === 'string' ? Number(dose) : dose;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 9) return bad('vaccinations.dose');
    const d = typeof date === 'string' ? parseDate(date, ctx.now) : { ok: false as const, rule: 'date.format' };
    if (!d.ok) return bad('vaccinations.date');
    // The same clinic name recurs down a list: check each distinct one once.
    let c = seen.get(clinic as string);
    if (!c) {
      c = typeof clinic === 'string' ? plainText(clinic, 100, 'vaccinations.clinic') : bad('vaccinations.clinic');
      if (typeof clinic === 'string') seen.set(clinic, c);
    }
    if (!c.ok) return c;
    out.push({ vaccine, dose: n, date: d.value, clinic: c.value as string });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  out.sort((a, b) => cmp(a.date, b.date) || cmp(a.vaccine, b.vaccine) || a.dose - b.dose);
  return ok(out);
}

export const KINDS: Readonly<Record<FieldKind, KindSpec>> = {
  personName: stringKind(
    'personName',
    (s) => {
      const r = parsePersonName(s);
      return r.ok ? ok(r.value.name) : r;
    },
    maskPersonName,
    'name',
  ),
  sex: stringKind(
    'sex',
    (s) => {
      const v = SEX[s.trim().toLowerCase()];
      return v ? ok(v) : bad('sex.value');
    },
    maskSex,
  ),
  dateTime: stringKind(
    'dateTime',
    (s, ctx) => {
      const r = parseDateTime(s, ctx.now);
      return r.ok ? ok(r.value) : r;
    },
    maskDateTime,
  ),
  date: stringKind(
    'date',
    (s, ctx) => {
      const r = parseDate(s, ctx.now);
      return r.ok ? ok(r.value) : r;
    },
    maskDate,
  ),
  residentId: stringKind(
    'residentId',
    (s, ctx) => {
      const r = parseResidentId(s, ctx.now);
      return r.ok ? ok(r.value.id, r.value.warnings) : r;
    },
    maskResidentId,
    'residentId',
  ),
  code: stringKind(
    'code',
    (s) => {
      const v = s.trim().toUpperCase();
      return /^[A-Z0-9][A-Z0-9-]{3,31}$/.test(v) ? ok(v) : bad('code.format');
    },
    maskCode,
  ),
  text: stringKind(
    'text',
    (s) => plainText(s, 200, 'text'),
    (s) => [...s].map(() => '*').join(''),
  ),
  bed: stringKind(
    'bed',
    (s) => {
      const r = plainText(s, 64, 'bed');
      if (!r.ok) return r;
      return /[0-9A-Za-z]/.test(r.value as string) ? r : bad('bed.format');
    },
    maskBed,
  ),
  mobile: stringKind(
    'mobile',
    (s) => {
      const r = parseMobile(s);
      return r.ok ? ok(r.value, r.warnings) : r;
    },
    maskMobile,
    'phone',
  ),
  address: stringKind(
    'address',
    (s) => {
      const r = parseAddress(s);
      return r.ok ? ok(r.value, r.warnings) : r;
    },
    maskAddress,
  ),
  plate: stringKind(
    'plate',
    (s) => {
      const v = s
        .trim()
        .toUpperCase()
        .replace(/[\s·-]/g, '');
      // GA 36-2018: province character, issuing-authority letter, then 5 (6 for new-energy) characters; no I or O.
      return /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$/.test(
        v,
      )
        ? ok(v)
        : bad('plate.format');
    },
    maskPlate,
    'plate',
  ),
  vaccinations: {
    parse: parseVaccinations,
    mask: (v) =>
      typeof v === 'string'
        ? '****'
        : v.map((x) => ({ vaccine: x.vaccine, dose: x.dose, date: maskDate(x.date), clinic: x.clinic })),
  },
};

/** Serialises a normalised value for encryption and hashing: UTF-8 text, or JSON for lists. */
export function encodeValue(kind: FieldKind, value: FieldValue): Buffer {
  return Buffer.from(kind === 'vaccinations' ? JSON.stringify(value) : (value as string), 'utf8');
}

export function decodeValue(kind: FieldKind, bytes: Uint8Array): FieldValue {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return kind === 'vaccinations' ? (JSON.parse(s) as Vaccination[]) : s;
}
