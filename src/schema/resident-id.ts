/**
 * Resident identity numbers, GB 11643-1999.
 *
 * 18 characters: 6-digit region (GB/T 2260), birth date YYYYMMDD, 3-digit sequence (odd male, even
 * female), and a check character by ISO 7064 MOD 11-2. The 15-digit legacy form (before 1999) has
 * a 2-digit year (19YY), no check character.
 */
import { isProvincePrefix, regionName } from './regions.ts';
import { localToday } from './date-time.ts';

// GB 11643-1999 §6: weights W_i = 2^(i-1) mod 11 for positions 18..2, check = "10X98765432"[S mod 11].
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';

export interface ResidentId {
  readonly id: string;
  readonly region: string;
  readonly birthDate: string;
  readonly sex: 'male' | 'female';
  readonly legacy: boolean;
  /** Warnings that do not make the id invalid: an unknown but well-formed region code. */
  readonly warnings: readonly string[];
}

export type ResidentIdResult = { ok: true; value: ResidentId } | { ok: false; rule: string };

/** ISO 7064 MOD 11-2 check character over the first 17 digits. */
export function checkCharacter(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK[s % 11]!;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/**
 * Parses and validates a resident id. `now` bounds the birth date (no one is born in the future).
 * A lowercase x is accepted and normalised to X; surrounding spaces are ignored.
 */
export function parseResidentId(input: string, now: Date): ResidentIdResult {
  const s = input.trim().toUpperCase();
  let region: string, y: number, m: number, d: number, seq: number;
  const legacy = s.length === 15;
  if (s.length === 18) {
    if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, rule: 'residentId.format' };
    if (checkCharacter(s) !== s[17]) return { ok: false, rule: 'residentId.checksum' };
    region = s.slice(0, 6);
    y = +s.slice(6, 10);
    m = +s.slice(10, 12);
    d = +s.slice(12, 14);
    seq = +s.slice(14, 17);
  } else if (legacy) {
    if (!/^\d{15}$/.test(s)) return { ok: false, rule: 'residentId.format' };
    region = s.slice(0, 6);
    y = 1900 + +s.slice(6, 8);
    m = +s.slice(8, 10);
    d = +s.slice(10, 12);
    seq = +s.slice(12, 15);
  } else {
    return { ok: false, rule: 'residentId.length' };
  }
  if (!isProvincePrefix(region.slice(0, 2))) return { ok: false, rule: 'residentId.region' };
  if (y < 1800 || !validDate(y, m, d)) return { ok: false, rule: 'residentId.birthDate' };
  const birthDate = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  // Compare calendar dates in China Standard Time: an id born "today" in Beijing is valid.
  if (birthDate > localToday(now)) return { ok: false, rule: 'residentId.futureBirthDate' };
  const warnings = regionName(region) === undefined ? ['residentId.unknownRegion'] : [];
  return { ok: true, value: { id: s, region, birthDate, sex: seq % 2 === 1 ? 'male' : 'female', legacy, warnings } };
}

/** Builds a valid 18-character id from its parts (the synthetic city and tests use it). */
export function makeResidentId(region: string, birthDate: string, sequence: number): string {
  const first17 = `${region}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}
