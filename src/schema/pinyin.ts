/**
 * Chinese names by sound, for record linkage: the toneless pinyin of a name, with the surname read
 * as a surname (曾 zeng, 单 shan, 解 xie, 查 zha, 区 ou — not their common readings), and a fuzzy
 * form that merges what input methods and southern accents confuse: initials z/zh, c/ch, s/sh, n/l,
 * h/f, r/l and finals in/ing, en/eng, an/ang, ian/iang, uan/uang (the "模糊音" options of common
 * pinyin input methods). Homophones typed through an input method (章 for 张) agree by pinyin;
 * accent and input slips agree by the fuzzy form.
 */
import { pinyin } from 'pinyin-pro';

const HAN = /\p{Script=Han}/u;

const readings = new Map<string, string>();

/** The toneless reading of one character (as a surname, or as an ordinary character), memoised. */
function reading(c: string, asSurname: boolean): string {
  const key = asSurname ? `s${c}` : c;
  let r = readings.get(key);
  if (r === undefined) {
    r = HAN.test(c)
      ? (pinyin(c, { toneType: 'none', surname: asSurname ? 'head' : 'off', v: true }) || c).toLowerCase()
      : c.toLowerCase();
    if (readings.size < 100_000) readings.set(key, r);
  }
  return r;
}

/**
 * Toneless syllables, one a character (each read on its own: a name is not a phrase, and both
 * sides of a comparison are read the same way); the first character read as a surname;
 * separators dropped.
 */
export function syllables(name: string, asSurname = true): string[] {
  const chars = [...name.normalize('NFC').replace(/[\s·•‧・]/gu, '')];
  return chars.map((c, i) => reading(c, asSurname && i === 0));
}

/** The fuzzy form of one syllable (see the module comment). */
export function fuzzySyllable(s: string): string {
  return s
    .replace(/^(z|c|s)h/, '$1')
    .replace(/^n(?!g)/, 'l')
    .replace(/^r/, 'l')
    .replace(/^f/, 'h')
    .replace(/(i|e|a)ng$/, '$1n')
    .replace(/uang$/, 'uan');
}

export function pinyinKey(name: string): string {
  return syllables(name).join(' ');
}

export function fuzzyKey(name: string): string {
  return syllables(name).map(fuzzySyllable).join(' ');
}

/** Both readings of a name's first character (as a surname and as an ordinary character). */
export function surnameReadings(name: string): string[] {
  const a = syllables(name, true)[0] ?? '';
  const b = syllables(name, false)[0] ?? '';
  return a === b ? [a] : [a, b];
}
