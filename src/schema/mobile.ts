/**
 * Mainland China mobile numbers: 11 digits, `1[3-9]` and nine more. "+86", "0086", spaces, dashes,
 * dots, brackets and full-width digits normalise away.
 *
 * The prefix table is the allocations in libphonenumber's full metadata (the test compares them)
 * plus the ranges it lags behind (149: China Telecom, 上网卡 with voice since 2018). libphonenumber
 * has added each new Chinese range months or years late (its issues for 149, 171, 173, 175, 198,
 * 199), so a number of the right shape whose prefix is not in the table is *accepted with a
 * warning* (`mobile.prefixUnknown`), like a resident id's unknown region code: refusing it would
 * lose a real family's record or push staff to type a fake number. Refused: malformed numbers
 * (`mobile.format`, `mobile.length`, `mobile.prefix` for 10-12) and the 14x ranges MIIT keeps for
 * data and the Internet of Things (140-144, 146, 148: 13-digit IoT numbers 1410X, 1440X, 146XX,
 * 148XX, and unassigned data blocks), which no person's phone has in 11 digits.
 *
 * A deployment extends the table without a release: `TRACEVAULT_MOBILE_PREFIXES` (a comma-separated
 * list of 3- to 5-digit prefixes, e.g. `1490,1741`), read once when this module loads (worker
 * threads and child processes inherit the environment), or `extendMobilePrefixes` when embedded.
 * A prefix named there is allocated: no warning, and it overrides the data/IoT refusal.
 * docs/adr/0020-chinese-data-vocabulary.md.
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
  '149',
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

/** Every prefix of the built-in table, for generators (weights are the generator's business). */
export const MOBILE_PREFIXES: readonly string[] = [...PREFIXES_3, ...PREFIXES_4, ...PREFIXES_5];

/** Prefixes a deployment added (TRACEVAULT_MOBILE_PREFIXES, extendMobilePrefixes). */
const EXTRA = new Set<string>();

// MIIT keeps 14x for data cards and the Internet of Things: 145, 147 and 149 may carry voice
// (上网卡); the rest are IoT (13-digit numbers) or unassigned data blocks.
const DATA_ONLY = /^14[0-468]/;

const PREFIX_SHAPE = /^1[3-9]\d{1,3}$/;

/**
 * Adds prefixes (3 to 5 digits, `1[3-9]…`) to the table of this process. Throws a RangeError
 * naming the first malformed one (a prefix is configuration, not a personal value).
 */
export function extendMobilePrefixes(prefixes: Iterable<string>): void {
  const list = [...prefixes].map((p) => p.trim()).filter((p) => p !== '');
  const bad = list.find((p) => !PREFIX_SHAPE.test(p));
  if (bad !== undefined) throw new RangeError(`mobile prefix "${bad}" is not 3 to 5 digits starting 13-19`);
  for (const p of list) EXTRA.add(p);
}

/** The prefixes a deployment added, for the README's and the tests' eyes. */
export function extraMobilePrefixes(): readonly string[] {
  return [...EXTRA].sort();
}

const FROM_ENV = typeof process === 'undefined' ? undefined : process.env.TRACEVAULT_MOBILE_PREFIXES;
if (FROM_ENV) {
  try {
    extendMobilePrefixes(FROM_ENV.split(','));
  } catch (e) {
    throw new RangeError(`TRACEVAULT_MOBILE_PREFIXES: ${(e as Error).message}`);
  }
}

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

function inTable(digits: string): boolean {
  if (PREFIXES_3.has(digits.slice(0, 3)) || PREFIXES_4.has(digits.slice(0, 4)) || PREFIXES_5.has(digits.slice(0, 5)))
    return true;
  if (EXTRA.size === 0) return false;
  for (let n = 3; n <= 5; n++) if (EXTRA.has(digits.slice(0, n))) return true;
  return false;
}

/** 11 digits whose prefix is in the table (built-in or added by the deployment). */
export function isAllocatedMobile(digits: string): boolean {
  return /^1\d{10}$/.test(digits) && inTable(digits);
}

/** 11 digits that parseMobile accepts: allocated, or of mobile shape outside the data/IoT ranges. */
export function isAcceptedMobile(digits: string): boolean {
  return /^1[3-9]\d{9}$/.test(digits) && (inTable(digits) || !DATA_ONLY.test(digits));
}

export type MobileResult = { ok: true; value: string; warnings: readonly string[] } | { ok: false; rule: string };

const NO_WARNINGS: readonly string[] = Object.freeze([]);
const PREFIX_UNKNOWN: readonly string[] = Object.freeze(['mobile.prefixUnknown']);

export function parseMobile(input: string): MobileResult {
  const d = normaliseMobile(input);
  if (!/^\d+$/.test(d)) return { ok: false, rule: 'mobile.format' };
  if (d.length !== 11) return { ok: false, rule: 'mobile.length' };
  if (isAllocatedMobile(d)) return { ok: true, value: d, warnings: NO_WARNINGS };
  if (!isAcceptedMobile(d)) return { ok: false, rule: 'mobile.prefix' };
  return { ok: true, value: d, warnings: PREFIX_UNKNOWN };
}
