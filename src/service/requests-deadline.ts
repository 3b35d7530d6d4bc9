/**
 * The one rule for when a guardian's rights request must be answered. PIPL art. 50 asks a handler
 * to answer requests under arts. 44–47 promptly without fixing a period; the national standard
 * GB/T 35273-2020 §8.7 c) sets it: within 30 days, or the period the law sets. The registry answers
 * within 15 working days (the practice of China's government information-disclosure rules), the
 * stricter of the two: the request's deadline is the end of the 15th working day after the day it
 * was received, in Asia/Shanghai (UTC+8, ADR 0004). Working days are Monday to Friday; public
 * holidays and their make-up working days are not modelled, so the deadline is never later than
 * the stricter reading. Pure: no clock.
 */

export const DEADLINE_WORKING_DAYS = 15;

const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** The deadline of a request received at `receivedAt`: an instant (end of day, UTC+8) as ISO 8601 UTC. */
export function requestDeadline(receivedAt: Date, workingDays = DEADLINE_WORKING_DAYS): string {
  // The calendar day of receipt in UTC+8, as a UTC midnight for day arithmetic.
  const local = new Date(receivedAt.getTime() + OFFSET_MS);
  let day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  let left = workingDays;
  while (left > 0) {
    day += DAY_MS;
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  // 23:59:59.999 of that day in UTC+8.
  return new Date(day + DAY_MS - 1 - OFFSET_MS).toISOString();
}
