/**
 * Dates and times as people in the registry read them: Beijing time (UTC+8, docs/adr/0004) whatever
 * the computer's zone, in the page's language.
 */
const ZONE = 'Asia/Shanghai';

export function dateTime(iso: string | null | undefined, lng: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lng === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
}

export function date(iso: string | null | undefined, lng: string): string {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lng === 'en' ? 'en-CA' : 'zh-CN', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
}

/** "a (b)" in English, "a（b）" in Chinese. */
export const paren = (a: string, b: string, lng: string): string => (lng === 'en' ? `${a} (${b})` : `${a}（${b}）`);

/** A list as each language writes it: "a、b" in Chinese, "a, b" in English. */
export const list = (items: readonly string[], lng: string): string => items.join(lng === 'en' ? ', ' : '、');

/** "a: b" in English, "a：b" in Chinese. */
export const colon = (a: string, b: string, lng: string): string => (lng === 'en' ? `${a}: ${b}` : `${a}：${b}`);
