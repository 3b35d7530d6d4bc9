/**
 * The local calendar of the registry: Asia/Shanghai. China has kept UTC+8 all year since 1991 (its
 * last daylight saving time ended in September 1991), so the zone is a fixed offset here and needs
 * no tz database: an instant's local wall clock is the UTC wall clock of `ms + 8 h`. (The summers
 * of 1986-1991, kept at UTC+9, would read an hour early; the instants the registry dates are later.)
 */

/** The offset as ISO 8601 writes it. */
export const SHANGHAI_OFFSET = '+08:00';
/** The offset in milliseconds (UTC+8). */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const DAY_MS = 86_400_000;

function epochOf(t: number | Date): number {
  return typeof t === 'number' ? t : t.getTime();
}

/** The Asia/Shanghai calendar day of an instant, 'YYYY-MM-DD'. */
export function localDate(t: number | Date): string {
  return new Date(epochOf(t) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Asia/Shanghai hour of the day of an instant, 0-23. */
export function localHour(t: number | Date): number {
  return new Date(epochOf(t) + SHANGHAI_OFFSET_MS).getUTCHours();
}

/** The Asia/Shanghai wall clock of an instant to the second, 'YYYY-MM-DDTHH:MM:SS' (no offset). */
export function localDateTime(t: number | Date): string {
  return new Date(epochOf(t) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19);
}

/** The Asia/Shanghai midnight that begins the local day of `ms` (epoch ms, not before 1970-01-01T00:00+08:00). */
export function localMidnight(ms: number): number {
  return ms - ((ms + SHANGHAI_OFFSET_MS) % DAY_MS);
}
