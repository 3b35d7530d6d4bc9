/**
 * Dates as a family in China reads them: always in Asia/Shanghai (UTC+8, no daylight saving),
 * whatever the phone's own time zone, in the page's language.
 */
export const TIME_ZONE = 'Asia/Shanghai';

export function formatDate(iso: string, language: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(language, { timeZone: TIME_ZONE, dateStyle: 'long' }).format(d);
}

export function formatDateTime(iso: string, language: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(language, { timeZone: TIME_ZONE, dateStyle: 'long', timeStyle: 'short' }).format(d);
}

export function formatCount(n: number, language: string): string {
  return new Intl.NumberFormat(language).format(n);
}

/** Items as a list in running text: "a, b, c" in English, "a、b、c" in Chinese (the enumeration comma). */
export function formatList(items: readonly string[], language: string): string {
  return items.join(language === 'en' ? ', ' : '、');
}
