/**
 * What the forms check before sending, in the forms the server reads (src/service/portal/codes.ts,
 * the mobile validator): a hint to the person typing, not a security check; the server decides.
 */

/** Full-width digits and letters fold (NFKC); spaces, dashes and dots go. */
const fold = (s: string) => s.normalize('NFKC').replace(/[\s\-._\u2010-\u2015()]/g, '');

/** A mainland mobile number: 11 digits from 1, after an optional +86 or 0086. */
export function looksLikeMobile(typed: string): boolean {
  return /^(?:\+?86|0086)?1\d{10}$/.test(fold(typed));
}

/** An invitation code: 16 characters of 2–9 and A–Z without I and O, in any case and grouping. */
export function looksLikeInvitation(typed: string): boolean {
  return /^[2-9A-HJ-NP-Z]{16}$/.test(fold(typed).toUpperCase());
}

/** A one-time code: 6 digits. */
export function looksLikeOtp(typed: string): boolean {
  return /^\d{6}$/.test(fold(typed));
}

export const otpDigits = (typed: string) => fold(typed);
