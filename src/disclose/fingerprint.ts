/**
 * Value-preserving fingerprint channels. A clear value can be written in several ways that mean
 * exactly the same thing and that the schema's validators normalise back to the stored value:
 * a phone with spaces or with dashes, a date with slashes or dots, an address with some digits
 * full-width. Each channel has two such renderings, symbol 0 and symbol 1, and neither is the
 * canonical form, so a copy that was normalised (or retyped) reads as *missing*, never as a symbol.
 *
 * Which symbol a value gets is decided by the Tardos code (tardos.ts) at a *position*: the pair
 * (virtual key, field), where the virtual key is something that survives in a leaked row — the
 * mother's (or owner's) normalised phone, else her name with the birth date — never an internal
 * id, so marks survive subsets, reordering and dropped columns.
 */
import { KINDS, type FieldKind, type FieldValue, type Vaccination } from '../schema/field-kind.ts';
import { parseMobile, toHalfWidthDigits } from '../schema/mobile.ts';
import { splitAddress } from '../schema/address.ts';

export type Symbol01 = 0 | 1;

export interface Channel {
  /** The value written as symbol `bit`, or undefined when this value has no such rendering. */
  render(value: FieldValue, bit: Symbol01): string | undefined;
  /** Which symbol an observed cell carries; undefined when it carries none (canonical, retyped, other). */
  detect(observed: string): Symbol01 | undefined;
}

const FULL_WIDTH = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 48 + 0xff10));

const mobile: Channel = {
  render: (v, bit) =>
    typeof v === 'string' && /^1\d{10}$/.test(v)
      ? `${v.slice(0, 3)}${bit ? '-' : ' '}${v.slice(3, 7)}${bit ? '-' : ' '}${v.slice(7)}`
      : undefined,
  detect: (s) => (/^1\d{2} \d{4} \d{4}$/.test(s.trim()) ? 0 : /^1\d{2}-\d{4}-\d{4}$/.test(s.trim()) ? 1 : undefined),
};

/** 2025-12-03T08:10:00+08:00 → "2025-12-03 08:10:00" (0) or "2025/12/03 08:10:00" (1); another offset is kept. */
const dateTime: Channel = {
  render: (v, bit) => {
    const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})(.*)$/.exec(v) : null;
    if (!m) return undefined;
    const offset = m[5] === '+08:00' ? '' : m[5];
    return `${[m[1], m[2], m[3]].join(bit ? '/' : '-')} ${m[4]}${offset}`;
  },
  detect: (s) => {
    const m = /^\d{4}([-/])\d{2}\1\d{2} \d{2}:\d{2}/.exec(s.trim());
    return m ? (m[1] === '/' ? 1 : 0) : undefined;
  },
};

/** 2026-01-05 → "2026/01/05" (0) or "2026.01.05" (1). */
const date: Channel = {
  render: (v, bit) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v.replaceAll('-', bit ? '.' : '/') : undefined,
  detect: (s) => (/^\d{4}\/\d{2}\/\d{2}$/.test(s.trim()) ? 0 : /^\d{4}\.\d{2}\.\d{2}$/.test(s.trim()) ? 1 : undefined),
};

/** Digit runs of the street detail (after province, prefecture, district). */
function detailRuns(address: string): { start: number; end: number }[] {
  const parts = splitAddress(address);
  const offset = address.length - parts.detail.length;
  return [...parts.detail.matchAll(/[0-9\uFF10-\uFF19]+/g)].map((m) => ({
    start: offset + m.index,
    end: offset + m.index + m[0].length,
  }));
}

/** The first (0) or the last (1) house-number digit run written full-width; needs two runs or more. */
const address: Channel = {
  render: (v, bit) => {
    if (typeof v !== 'string') return undefined;
    const runs = detailRuns(v);
    if (runs.length < 2) return undefined;
    const r = runs[bit ? runs.length - 1 : 0]!;
    return v.slice(0, r.start) + FULL_WIDTH(v.slice(r.start, r.end)) + v.slice(r.end);
  },
  detect: (s) => {
    const runs = detailRuns(s.trim());
    if (runs.length < 2) return undefined;
    const fw = runs.map((r) => /^[\uFF10-\uFF19]+$/.test(s.trim().slice(r.start, r.end)));
    const first = fw[0]!,
      last = fw[fw.length - 1]!;
    if (first === last || fw.slice(1, -1).some(Boolean)) return undefined;
    return first ? 0 : 1;
  },
};

const SEX_RENDER: Readonly<Record<string, readonly [string, string]>> = {
  male: ['男', 'M'],
  female: ['女', 'F'],
  unknown: ['未知', '9'],
};
const sex: Channel = {
  render: (v, bit) => (typeof v === 'string' ? SEX_RENDER[v]?.[bit] : undefined),
  detect: (s) => {
    const t = s.trim();
    return ['男', '女', '未知'].includes(t) ? 0 : ['M', 'F', '9'].includes(t) ? 1 : undefined;
  },
};

/** Every vaccination date with slashes (0) or dots (1), in the list's JSON. */
const vaccinations: Channel = {
  render: (v, bit) => {
    if (!Array.isArray(v) || v.length === 0) return undefined;
    return JSON.stringify(
      (v as readonly Vaccination[]).map((x) => ({ ...x, date: x.date.replaceAll('-', bit ? '.' : '/') })),
    );
  },
  detect: (s) => {
    const dates = [...s.matchAll(/"date"\s*:\s*"(\d{4})([-/.])\d{2}\2\d{2}"/g)].map((m) => m[2]);
    if (dates.length === 0 || new Set(dates).size !== 1) return undefined;
    return dates[0] === '/' ? 0 : dates[0] === '.' ? 1 : undefined;
  },
};

const CHANNELS: Partial<Record<FieldKind, Channel>> = { mobile, dateTime, date, address, sex, vaccinations };

export function channelFor(kind: FieldKind): Channel | undefined {
  return CHANNELS[kind];
}

/**
 * The virtual key of a row: what identifies the family in any copy of it. The normalised phone of
 * the mother (birth) or owner (vehicle); else the mother's name with the birth date.
 */
export function virtualKey(row: Readonly<Record<string, unknown>>): string | undefined {
  for (const f of ['motherPhone', 'ownerPhone', 'fatherPhone']) {
    const v = row[f];
    if (typeof v === 'string' && v.trim() !== '') {
      const m = parseMobile(toHalfWidthDigits(v));
      if (m.ok) return `tel:${m.value}`;
    }
  }
  const name = row.motherName ?? row.ownerName;
  const birth = row.birthTime;
  if (typeof name === 'string' && typeof birth === 'string') {
    const t = KINDS.dateTime.parse(birth, { now: new Date(8.64e15) });
    if (t.ok) return `name:${name.normalize('NFC').trim()}|${(t.value as string).slice(0, 10)}`;
  }
  return undefined;
}

/** A position of the code: one field of one family. */
export function position(vkey: string, field: string): string {
  return `${vkey}\u001f${field}`;
}
