/**
 * The differencing attacker of /v1/stats (service/stats.ts), for its tests: given the answer before and
 * the answer after one record was added to a known cell, which counts of a withheld cell agree with
 * both. It knows the method as the answers declare it (their minimum and rounding base), not the key.
 */
import type { StatsCell } from '../../src/service/stats.ts';

/** What a snapshot of `/v1/stats` says. */
export interface Snapshot {
  readonly minCell: number;
  readonly roundingBase?: number;
  readonly total: number | null;
  readonly cells: readonly StatsCell[];
}

/** The rounded counts a count can be published as: itself, or the multiples of `base` either side. */
function roundings(count: number, base: number): number[] {
  const r = count % base;
  return r === 0 ? [count] : [count - r, count - r + base];
}

/** The method as the attacker knows it, from rounded counts (exact when the base is 1) to the answer. */
function publishModel(rounded: ReadonlyMap<string, number>, minCell: number, base: number): Snapshot {
  const shownFrom = minCell + base - 1;
  const cells = [...rounded]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, count]): StatsCell => ({ value, count, suppressed: count < shownFrom }));
  if (cells.filter((c) => c.suppressed).length === 1) {
    const next = cells.filter((c) => !c.suppressed).sort((a, b) => a.count! - b.count!)[0];
    if (next) next.suppressed = true;
  }
  const total = [...rounded.values()].reduce((a, b) => a + b, 0);
  for (const c of cells) if (c.suppressed) c.count = null;
  return { minCell, total: total < shownFrom ? null : total, cells };
}

const same = (a: Snapshot, b: Snapshot) =>
  a.total === b.total && JSON.stringify(a.cells) === JSON.stringify(b.cells.map((c) => ({ ...c })));

/**
 * The differencing attacker, who knows the method but not the key: the counts of cell `target` before one record
 * was added to cell `added` that agree with both snapshots. The method's rounding base is what the answer declares
 * (`roundingBase`, 1 when absent: exact counts). A cell's rounded count is within base - 1 of its count and stays
 * the same while its records do, so only the added cell is rounded afresh; the total is the sum of the rounded
 * counts; a cell is withheld under minCell + base - 1, and a lone withheld cell takes the shown cell of the
 * smallest count (the first by value) with it. The answers depend on the rounded counts alone, so the attacker
 * tries every pair of rounded counts (before, after) of each cell, keeps the combinations that give both answers,
 * and returns the counts up to `max` that round to the target's pairs.
 */
export function feasible(before: Snapshot, after: Snapshot, added: string, target: string, max = 30): number[] {
  const base = before.roundingBase ?? 1;
  const values = [...new Set([...before.cells, ...after.cells].map((c) => c.value))].sort();
  const shown = (s: Snapshot, v: string) => s.cells.find((c) => c.value === v && !c.suppressed)?.count;
  // Per cell, its counts before by the pair of rounded counts (before, after) they can give, as far as the
  // snapshots show them. A cell absent before counts 0 and has no rounded count before.
  const pairs = values.map((v) => {
    const out = new Map<string, { q1: number | undefined; q2: number; counts: Set<number> }>();
    const absent = !before.cells.some((c) => c.value === v);
    for (let c = absent ? 0 : 1; c <= (absent ? 0 : max); c++) {
      for (const q1 of c === 0 ? [undefined] : roundings(c, base)) {
        for (const q2 of v === added ? roundings(c + 1, base) : [q1!]) {
          const [s1, s2] = [shown(before, v), shown(after, v)];
          if ((s1 !== undefined && s1 !== q1) || (s2 !== undefined && s2 !== q2)) continue;
          const key = `${q1}/${q2}`;
          if (!out.has(key)) out.set(key, { q1, q2, counts: new Set() });
          out.get(key)!.counts.add(c);
        }
      }
    }
    return [...out.values()];
  });
  const found = new Set<number>();
  const pick: (typeof pairs)[number][number][] = [];
  const walk = (i: number): void => {
    if (i === values.length) {
      const r1 = new Map(values.flatMap((v, j) => (pick[j]!.q1 === undefined ? [] : [[v, pick[j]!.q1] as const])));
      const r2 = new Map(values.map((v, j) => [v, pick[j]!.q2] as const));
      if (same(publishModel(r1, before.minCell, base), before) && same(publishModel(r2, after.minCell, base), after)) {
        for (const c of pick[values.indexOf(target)]!.counts) found.add(c);
      }
      return;
    }
    for (const o of pairs[i]!) {
      pick[i] = o;
      walk(i + 1);
    }
  };
  walk(0);
  return [...found].sort((a, b) => a - b);
}
