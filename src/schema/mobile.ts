/**
 * Mainland China mobile numbers: 11 digits starting with an allocated prefix. "+86", "0086",
 * spaces, dashes, dots, brackets and full-width digits normalise away.
 *
 * The prefix table matches the allocations in libphonenumber's full metadata (the test compares
 * them); 154, 14x data-only ranges and unallocated blocks are refused.
 */

const PREFIXES_3 = new Set([
  '130',
  '131',
  '132',
  '133',
  '134',
  '135',
  '136',
  '137',
  '138',
  '139',
  '145',
  '147',
  '150',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '162',
  '165',
  '166',
  '167',
  '170',
  '171',
  '172',
  '173',
  '175',
  '176',
  '177',
  '178',
  '180',
  '181',
  '182',
  '183',
  '184',
  '185',
  '186',
  '187',
  '188',
  '189',
  '190',
  '191',
  '192',
  '193',
  '195',
  '196',
  '197',
  '198',
  '199',
]);
const PREFIXES_4 = new Set(['1610']);
const PREFIXES_5 = new Set(['17400', '17401', '17402', '17403', '17404', '17405']);

/** Every allocated prefix, for generators (weights are the generator's business). */
export const MOBILE_PREFIXES: readonly string[] = [...PREFIXES_3, ...PREFIXES_4, ...PREFIXES_5];

/** Full-width digits (U+FF10..U+FF19) to ASCII. */
export function toHalfWidthDigits(s: string): string {
  return s.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48));
}

/** Strips formatting and the country code; returns the bare digits (maybe not a valid number). */
export function normaliseMobile(input: string): string {
  let s = toHalfWidthDigits(input).replace(/[\s\-.()（）\u2010-\u2015]/g, '');
  if (s.startsWith('+86')) s = s.slice(3);
  else if (s.startsWith('0086')) s = s.slice(4);
  else if (s.length === 13 && s.startsWith('86')) s = s.slice(2);
  return s;
}

export function isAllocatedMobile(digits: string): boolean {
  return (
    /^1\d{10}$/.test(digits) &&
    (PREFIXES_3.has(digits.slice(0, 3)) || PREFIXES_4.has(digits.slice(0, 4)) || PREFIXES_5.has(digits.slice(0, 5)))
  );
}

export type MobileResult = { ok: true; value: string } | { ok: false; rule: string };

export function parseMobile(input: string): MobileResult {
  const d = normaliseMobile(input);
  if (!/^\d+$/.test(d)) return { ok: false, rule: 'mobile.format' };
  if (d.length !== 11) return { ok: false, rule: 'mobile.length' };
  if (!isAllocatedMobile(d)) return { ok: false, rule: 'mobile.prefix' };
  return { ok: true, value: d };
}
