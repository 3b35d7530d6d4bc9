/**
 * What a vaccination nurse reads of her standing export (ADR 0022): the server keeps `pending`,
 * `approved` or `refused`; a request whose period is over, approved or not, has expired.
 */
export type StandingState = 'waiting' | 'approved' | 'refused' | 'expired';

export interface StandingStatus {
  readonly status: 'pending' | 'approved' | 'refused';
  /** The last day runs may be made (a local date, YYYY-MM-DD). */
  readonly validTo: string | null;
  /** When the approval ends (the end of `validTo` in Beijing), once approved. */
  readonly expiresAt: string | null;
}

/** Today in Beijing (UTC+8, ADR 0004), whatever the computer's zone. */
export const beijingToday = (now = Date.now()): string => new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);

export function standingState(e: StandingStatus, now = Date.now()): StandingState {
  if (e.status === 'refused') return 'refused';
  if (e.validTo !== null && e.validTo < beijingToday(now)) return 'expired';
  if (e.status === 'pending') return 'waiting';
  if (e.expiresAt !== null && Date.parse(e.expiresAt) <= now) return 'expired';
  return 'approved';
}
