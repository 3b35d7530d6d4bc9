/**
 * Finds clear personal values in raw bytes (a database file, a log) in one pass: digit strings
 * (phones, resident ids) are looked for among the runs of ASCII digits, Han strings (names) among
 * the runs of UTF-8 multi-byte characters. Returns the values found.
 */
export function findClearValues(bytes: Buffer, values: Iterable<string>): string[] {
  const digits = new Set<string>(),
    han = new Map<string, string>(),
    lengths = new Set<number>();
  for (const v of values) {
    if (/^[0-9X]{6,}$/.test(v)) digits.add(v);
    else {
      const m = /\p{Script=Han}{2,}/u.exec(v);
      if (!m) continue;
      const key = Buffer.from(m[0], 'utf8').toString('latin1');
      han.set(key, v);
      lengths.add(key.length);
    }
  }
  const text = bytes.toString('latin1');
  const found = new Set<string>();
  for (const m of text.matchAll(/[0-9X]{6,}/g)) {
    for (const d of digits) if (m[0].includes(d)) found.add(d);
  }
  for (const m of text.matchAll(/[\x80-\xff]{6,}/g)) {
    const run = m[0];
    for (const len of lengths) {
      for (let i = 0; i + len <= run.length; i++) {
        const hit = han.get(run.slice(i, i + len));
        if (hit !== undefined) found.add(hit);
      }
    }
  }
  return [...found];
}
