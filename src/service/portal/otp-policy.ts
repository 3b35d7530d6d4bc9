/**
 * When a one-time code may be sent to a phone and when a phone is locked out, pure (the clock is the
 * caller's). The counters live with the phone's one-time code (store/repos/one-time-codes.ts), so
 * they hold across restarts and processes:
 *
 * - a code lives 10 minutes and takes 5 tries, after which it is dead (NIST SP 800-63B §5.2.2 asks
 *   for a limit on failed attempts of an out-of-band code);
 * - at most 5 codes an hour go to one phone (SMS pumping, and a bound on guesses: 25 an hour);
 * - 10 wrong codes within a day lock the phone for the rest of that day: no code is sent and none is
 *   accepted, so a guesser gets at most 10 tries a day at a 1-in-a-million code.
 *
 * These limits only ever act on phones that matched (a guardian's, or the record's): for any other
 * phone nothing is sent anyway. The answer is the same `202` either way, so a limit tells nobody
 * whether a phone is known.
 */

export interface OtpPolicy {
  readonly ttlMs: number;
  readonly tries: number;
  readonly sendsPerWindow: number;
  readonly sendWindowMs: number;
  readonly failuresPerLock: number;
  readonly lockWindowMs: number;
}

export const OTP_POLICY: OtpPolicy = {
  ttlMs: 10 * 60_000,
  tries: 5,
  sendsPerWindow: 5,
  sendWindowMs: 3600_000,
  failuresPerLock: 10,
  lockWindowMs: 24 * 3600_000,
};

/** A phone's counters: codes sent in the current window, wrong codes in the current lock window. */
export interface PhoneCounters {
  readonly sends: number;
  readonly sendsSince: string | null;
  readonly failures: number;
  readonly failuresSince: string | null;
}

export const NO_COUNTERS: PhoneCounters = { sends: 0, sendsSince: null, failures: 0, failuresSince: null };

const within = (since: string | null, windowMs: number, now: Date) =>
  since !== null && now.getTime() - Date.parse(since) < windowMs;

/** Whether the phone is locked out at `now` (too many wrong codes within the lock window). */
export function lockedOut(c: PhoneCounters, now: Date, p: OtpPolicy = OTP_POLICY): boolean {
  return within(c.failuresSince, p.lockWindowMs, now) && c.failures >= p.failuresPerLock;
}

/** Whether one more code may be sent at `now`, and the counters once it is. */
export function nextSend(
  c: PhoneCounters,
  now: Date,
  p: OtpPolicy = OTP_POLICY,
): { allowed: boolean; counters: PhoneCounters } {
  if (lockedOut(c, now, p)) return { allowed: false, counters: c };
  const open = within(c.sendsSince, p.sendWindowMs, now);
  const sends = open ? c.sends : 0;
  if (sends >= p.sendsPerWindow) return { allowed: false, counters: c };
  const sendsSince = open ? c.sendsSince : now.toISOString();
  return { allowed: true, counters: { ...c, sends: sends + 1, sendsSince } };
}

/** The counters after one more wrong code at `now`. */
export function afterFailure(c: PhoneCounters, now: Date, p: OtpPolicy = OTP_POLICY): PhoneCounters {
  const open = within(c.failuresSince, p.lockWindowMs, now);
  return { ...c, failures: (open ? c.failures : 0) + 1, failuresSince: open ? c.failuresSince : now.toISOString() };
}
