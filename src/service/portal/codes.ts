/**
 * The codes of the parents' portal, pure: the invitation code printed on the discharge or
 * registration paper, the one-time code sent by SMS, the code a member of staff says on the phone.
 *
 * An invitation code is 16 characters of an alphabet without the characters people confuse on paper
 * (no 0/O, no 1/I), in four groups of four: 32^16 = 2^80 codes, so an online guesser limited per
 * address (rate-limit.ts) never finds one of the live ones, and what is stored is a keyed HMAC of it
 * (NIST SP 800-63B §5.1.1.2 asks for a keyed or salted hash of memorised secrets; a random code of
 * 80 bits needs no stretching, only the key). Typing is forgiving: case, spaces, dashes and
 * full-width forms fold away (Unicode NFKC, UAX #15).
 *
 * One-time codes are 6 decimal digits (SP 800-63B §5.1.3: a look-up or out-of-band secret of at
 * least 20 bits, with attempts limited); call codes are 4 digits, said aloud and valid 15 minutes.
 * Every code comes from the operating system's CSPRNG (crypto.randomInt, without modulo bias).
 */
import { randomInt, timingSafeEqual } from 'node:crypto';

/** 32 characters: digits 2–9 and A–Z without I and O. */
export const INVITATION_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const INVITATION_LENGTH = 16;
const GROUP = 4;

/** A new invitation code, grouped for reading aloud and typing: `K7QM-3XPA-W9RT-HC4N`. */
export function newInvitationCode(): string {
  let s = '';
  for (let i = 0; i < INVITATION_LENGTH; i++) {
    if (i > 0 && i % GROUP === 0) s += '-';
    s += INVITATION_ALPHABET[randomInt(INVITATION_ALPHABET.length)];
  }
  return s;
}

/**
 * An invitation code as typed, in the one form its HMAC is taken of: NFKC (full-width letters and
 * digits fold), upper case, without spaces, dashes and dots. Anything else stays, so a mistyped code
 * simply matches nothing.
 */
export function normaliseInvitationCode(typed: string): string {
  return typed
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-._\u2010-\u2015]/g, '');
}

/** `digits` random decimal digits, leading zeros kept. */
export function randomDigits(digits: number): string {
  return String(randomInt(10 ** digits)).padStart(digits, '0');
}

/** The 6-digit one-time code of an SMS. */
export function newOneTimeCode(): string {
  return randomDigits(6);
}

/** The 4-digit code a member of staff says on the phone. */
export function newCallCode(): string {
  return randomDigits(4);
}

/** Digits only (full-width folded), as a one-time or call code is typed: `12 34 56` is `123456`. */
export function digitsOf(typed: string): string {
  return typed.normalize('NFKC').replace(/\D/g, '');
}

/**
 * Whether two strings are equal, in time that depends on their lengths only (node:crypto
 * timingSafeEqual over the UTF-8 bytes; a length difference is answered at once, and lengths are
 * public: every code of a kind has the same length).
 */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
