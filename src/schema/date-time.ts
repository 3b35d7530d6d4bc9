/**
 * Dates and date-times. Stored form: ISO 8601 with an explicit offset (RFC 3339 §5.6),
 * "2026-11-20T03:17:00+08:00". Input without an offset is local time in the default zone,
 * Asia/Shanghai (+08:00, no daylight saving since 1991: see ./local-date.ts). Slashes, dots and a
 * space as separators, as spreadsheets write them, are accepted.
 */
import { localDate, localDateTime, SHANGHAI_OFFSET } from './local-date.ts';

export const DEFAULT_OFFSET = SHANGHAI_OFFSET;

const DATE_TIME =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

export type DateTimeResult = { ok: true; value: string; epochMs: number } | { ok: false; rule: string };

function two(n: number): string {
  return String(n).padStart(2, '0');
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in month m (1-12) of year y, proleptic Gregorian. */
function daysIn(y: number, m: number): number {
  return m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS[m - 1]!;
}

function offsetMinutes(off: string): number {
  if (off === 'Z') return 0;
  const sign = off[0] === '-' ? -1 : 1;
  const digits = off.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

function formatOffset(mins: number): string {
  const sign = mins < 0 ? '-' : '+';
  const a = Math.abs(mins);
  return `${sign}${two(Math.floor(a / 60))}:${two(a % 60)}`;
}

/** Parses a date-time; a date alone means local midnight. `notAfter` bounds it (e.g. a birth time). */
export function parseDateTime(input: string, notAfter?: Date): DateTimeResult {
  const m = DATE_TIME.exec(input.trim());
  if (!m) return { ok: false, rule: 'dateTime.format' };
  const [y, mo, d, h = 0, mi = 0, s = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) =>
    x === undefined ? undefined : Number(x),
  ) as number[];
  if (y! < 1800 || mo! < 1 || mo! > 12 || d! < 1 || d! > daysIn(y!, mo!)) return { ok: false, rule: 'dateTime.date' };
  if (h > 23 || mi > 59 || s > 59) return { ok: false, rule: 'dateTime.time' };
  const off = m[7] === undefined ? offsetMinutes(DEFAULT_OFFSET) : offsetMinutes(m[7]);
  if (Math.abs(off) > 14 * 60) return { ok: false, rule: 'dateTime.offset' };
  const epochMs = Date.UTC(y!, mo! - 1, d, h, mi, s) - off * 60_000;
  if (notAfter && epochMs > notAfter.getTime()) return { ok: false, rule: 'dateTime.future' };
  const value = `${y}-${two(mo!)}-${two(d!)}T${two(h)}:${two(mi)}:${two(s)}${formatOffset(off)}`;
  return { ok: true, value, epochMs };
}

export type DateResult = { ok: true; value: string } | { ok: false; rule: string };

/** A calendar date, stored as YYYY-MM-DD. */
export function parseDate(input: string, notAfter?: Date): DateResult {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(input.trim());
  if (!m) return { ok: false, rule: 'date.format' };
  const y = +m[1]!,
    mo = +m[2]!,
    d = +m[3]!;
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return { ok: false, rule: 'date.date' };
  const value = `${y}-${two(mo)}-${two(d)}`;
  if (notAfter && value > localToday(notAfter)) return { ok: false, rule: 'date.future' };
  return { ok: true, value };
}

let memoAt = NaN,
  memoDate = '';

/** The calendar date of `now` in the default zone (+08:00): localDate, remembered for the next call. */
export function localToday(now: Date): string {
  const ms = now.getTime();
  // Validation asks for the same "today" once per value: remember the last answer.
  if (ms !== memoAt) {
    memoAt = ms;
    memoDate = localDate(ms);
  }
  return memoDate;
}

/** Formats an instant as stored: ISO 8601 in the default zone, second precision. */
export function formatLocal(epochMs: number): string {
  return `${localDateTime(epochMs)}${DEFAULT_OFFSET}`;
}
