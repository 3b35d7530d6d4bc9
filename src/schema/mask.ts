/**
 * Default display masking (GB/T 35273-2020 §7.2 asks for de-identified display; the digit counts
 * are common practice): 138****5678, 张*明, 欧阳**, 1****************X, 北京市朝阳区****,
 * 产科3病区-**床, a birth time keeps its date.
 *
 * Every function here is total (never throws, on any Unicode input) and idempotent; on a valid value
 * the result never contains the whole clear value. What cannot be parsed is masked entirely: fail
 * closed.
 */
import { COMPOUND_SURNAMES } from './person-name.ts';
import { splitAddress } from './address.ts';
import { normaliseMobile } from './mobile.ts';

const COMPOUND = new Set(COMPOUND_SURNAMES);

/** Every character but separators replaced by '*'. */
function starAll(s: string): string {
  return [...s].map((c) => (/[\s\-·:/.]/u.test(c) ? c : '*')).join('');
}

export function maskMobile(input: string): string {
  const d = normaliseMobile(input);
  if (/^\d{11}$/.test(d) || /^\d{3}\*{4}\d{4}$/.test(d)) return `${d.slice(0, 3)}****${d.slice(7)}`;
  return starAll(d);
}

export function maskResidentId(input: string): string {
  const s = input.trim().toUpperCase();
  if (/^\d(?:\d{13}|\d{16}|\*{13}|\*{16})[\dX]$/.test(s)) return s[0] + '*'.repeat(s.length - 2) + s[s.length - 1];
  return starAll(s);
}

const TEMPORARY = /^(.+?)(之子|之女|之儿|之婴|之宝|之孩)$/u;

export function maskPersonName(input: string): string {
  const s = input.normalize('NFC').trim();
  const temp = TEMPORARY.exec(s);
  if (temp) return maskPersonName(temp[1]!) + temp[2]!;
  const chars = [...s];
  if (chars.length === 0) return '';
  if (/[·•‧・]/u.test(s) || /^[A-Za-z]/.test(s)) {
    // Names of several parts, or in Latin letters: keep the first character only.
    return (
      chars[0] +
      chars
        .slice(1)
        .map((c) => (/[\s·•‧・'\-.]/u.test(c) ? c : '*'))
        .join('')
    );
  }
  if (chars.length === 1) return '*';
  if (chars.length >= 3 && COMPOUND.has(chars[0]! + chars[1]!))
    return chars[0]! + chars[1]! + '*'.repeat(chars.length - 2);
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

/** Keeps the province, prefecture and district; the detail becomes four stars whatever its length. */
export function maskAddress(input: string): string {
  const p = splitAddress(input.normalize('NFC').trim());
  if (p.province === undefined) return '****';
  return `${p.province}${p.prefecture ?? ''}${p.district ?? ''}****`;
}

/** Keeps the ward; the bed's own number becomes stars (产科3病区-12床 → 产科3病区-**床). */
export function maskBed(input: string): string {
  const s = input.trim();
  const cut =
    s.lastIndexOf('-') >= 0 ? s.lastIndexOf('-') + 1 : s.lastIndexOf('病区') >= 0 ? s.lastIndexOf('病区') + 2 : 0;
  const ward = s.slice(0, cut);
  const bed = s.slice(cut);
  return ward + [...bed].map((c, i, a) => (i === a.length - 1 && c === '床' ? c : '*')).join('');
}

/** A date-time keeps its calendar date as written (its own offset): the time of day is the secret. */
export function maskDateTime(input: string): string {
  const m = /^\s*(\d{4}-\d{2}-\d{2})(?:[T ]|$)/.exec(input);
  return m ? m[1]! : '****-**-**';
}

/** A date keeps its year and month. */
export function maskDate(input: string): string {
  const m = /^\s*(\d{4}-\d{2})(?:-|$)/.exec(input);
  return m ? m[1]! : '****-**';
}

/** Codes keep their first character and last two (Q*******56). */
export function maskCode(input: string): string {
  const s = input.trim();
  if (s.length <= 4) return starAll(s);
  return s[0] + '*'.repeat(s.length - 3) + s.slice(-2);
}

/** Plates keep the province character, the authority letter and the last character (京A****5). */
export function maskPlate(input: string): string {
  const c = [...input.trim()];
  if (c.length < 4) return starAll(c.join(''));
  return c[0]! + c[1]! + '*'.repeat(c.length - 3) + c[c.length - 1];
}

export function maskSex(_input: string): string {
  return '*';
}
