/**
 * Chinese personal names: a surname (single or compound) and a given name, in Han characters;
 * names of some ethnic groups joined by a middle dot (阿依古丽·买买提); names in Latin letters; and
 * the temporary names newborns carry before registration (张三之子, 李四之女).
 */

/** Compound surnames (复姓) in common use. Only these are split as two-character surnames. */
export const COMPOUND_SURNAMES: readonly string[] = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '令狐',
  '夏侯',
  '轩辕',
  '端木',
  '西门',
  '南宫',
  '独孤',
  '百里',
  '呼延',
  '万俟',
  '澹台',
  '公冶',
  '太史',
  '申屠',
  '钟离',
  '闻人',
  '赫连',
  '濮阳',
  '单于',
  '司空',
  '东郭',
  '淳于',
  '拓跋',
  '左丘',
  '第五',
  '谷梁',
  '羊舌',
];
const COMPOUND = new Set(COMPOUND_SURNAMES);

/** Suffixes of temporary newborn names: "<parent>之子" (son of), 之女 (daughter of) and variants. */
const TEMPORARY = /^(.+?)(之子|之女|之儿|之婴|之宝|之孩)$/u;
const HAN = /^\p{Script=Han}+$/u;
const MIDDLE_DOT = /[·•‧・]/u;
const LATIN = /^[A-Za-z][A-Za-z'\-. ]*[A-Za-z.]$/;

export interface PersonName {
  readonly name: string;
  /** The surname, when the name is a Han name. */
  readonly surname?: string;
  /** For a temporary newborn name, the parent's name it is formed from. */
  readonly parent?: string;
}

export type PersonNameResult = { ok: true; value: PersonName } | { ok: false; rule: string };

export function surnameOf(name: string): string {
  const c = [...name];
  return c.length >= 3 && COMPOUND.has(c[0]! + c[1]!) ? c[0]! + c[1]! : (c[0] ?? '');
}

/** Normalises spacing and the middle dot (all variants to U+00B7), then validates. */
export function parsePersonName(input: string): PersonNameResult {
  const name = input
    .normalize('NFC')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[•‧・]/gu, '·');
  if (name.length === 0) return { ok: false, rule: 'personName.empty' };
  if (/\p{Cc}/u.test(name)) return { ok: false, rule: 'personName.chars' };
  const temp = TEMPORARY.exec(name);
  if (temp) {
    const parent = parsePersonName(temp[1]!);
    if (!parent.ok) return { ok: false, rule: 'personName.temporary' };
    return { ok: true, value: { name, parent: parent.value.name, surname: parent.value.surname } };
  }
  const chars = [...name];
  if (/^之(子|女|儿|婴|宝|孩)$/u.test(name)) return { ok: false, rule: 'personName.temporary' };
  if (HAN.test(name)) {
    if (chars.length < 2 || chars.length > 6) return { ok: false, rule: 'personName.length' };
    return { ok: true, value: { name, surname: surnameOf(name) } };
  }
  if (MIDDLE_DOT.test(name)) {
    const parts = name.split('·');
    if (parts.some((p) => !HAN.test(p)) || chars.length > 20) return { ok: false, rule: 'personName.chars' };
    return { ok: true, value: { name } };
  }
  if (LATIN.test(name)) {
    if (name.length > 64) return { ok: false, rule: 'personName.length' };
    return { ok: true, value: { name } };
  }
  return { ok: false, rule: 'personName.chars' };
}
