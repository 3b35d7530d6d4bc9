/**
 * When the leaked copy was taken. Each linked row shows versions, and a version held over an
 * interval [valid from or recorded at, next version's valid from); an empty cell for a value the
 * record later got ends the interval there. The copy time lies in the intersection — but noisy
 * rows (stale copies, other sources) do not share it, so the window is where the most rows agree
 * (a sweep over the interval ends). Lower bound: the newest version present; upper bound: the
 * first version or record the leak does not show yet, and the first call of a complaint set.
 * Pure; times are epoch milliseconds.
 */

import type { Link } from './linkage.ts';

export interface Interval {
  readonly from: number;
  readonly to: number;
}

export interface Window {
  readonly from: string | null;
  readonly to: string | null;
  /** Rows whose versions all held within the window. */
  readonly consistentRows: number;
  readonly rows: number;
  readonly basis: readonly string[];
}

/** When the versions a linked row shows all held: from its record's creation and their starts, to their ends. */
export function linkInterval(link: Link, createdAt: string): Interval {
  let from = Date.parse(createdAt),
    to = Infinity;
  for (const m of link.matches) {
    from = Math.max(from, Date.parse(m.validFrom), Date.parse(m.recordedAt));
    if (m.validTo) to = Math.min(to, Date.parse(m.validTo));
  }
  if (link.emptyBefore) to = Math.min(to, Date.parse(link.emptyBefore));
  return { from, to };
}

/** The hull of the points covered by the most intervals, and how many cover them. */
export function bestCover(intervals: readonly Interval[]): { from: number; to: number; count: number } | undefined {
  if (intervals.length === 0) return undefined;
  // Ends sort before starts at the same time: intervals are half-open.
  const events = intervals
    .flatMap((i) =>
      i.from < i.to
        ? [
            [i.from, 1],
            [i.to, -1],
          ]
        : [],
    )
    .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let count = 0,
    max = 0;
  for (const [, d] of events) max = Math.max(max, (count += d!));
  if (max === 0) return undefined;
  let from = Infinity,
    to = -Infinity;
  count = 0;
  for (let i = 0; i < events.length; i++) {
    const [t, d] = events[i]!;
    const before = count;
    count += d!;
    if (count === max && before < max) from = Math.min(from, t!);
    if (before === max && count < max) to = Math.max(to, t!);
  }
  return { from, to, count: max };
}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

/**
 * The window from the rows' intervals, cut by the first call (complaints) and by absence: records
 * created after the lower bound that a copy of sampling fraction `fraction` would have shown
 * (`laterCreations`, ascending) — after the n-th of them, where (1 − f)^n < alpha, the copy would
 * most likely show one.
 */
export function estimateWindow(
  intervals: readonly Interval[],
  opts: { firstCall?: number; fraction?: number; laterCreations?: readonly number[]; alpha?: number } = {},
): Window {
  const cover = bestCover(intervals);
  const basis: string[] = [];
  if (!cover)
    return {
      from: null,
      to: opts.firstCall !== undefined ? iso(opts.firstCall) : null,
      consistentRows: 0,
      rows: intervals.length,
      basis: ['no linked rows'],
    };
  const from = cover.from;
  let to = cover.to;
  basis.push('versions present (lower bound: newest version shown)');
  if (Number.isFinite(to)) basis.push('versions absent (upper bound: first newer version not shown)');
  if (opts.firstCall !== undefined && opts.firstCall < to) {
    to = opts.firstCall;
    basis.push('first reported call');
  }
  const f = opts.fraction ?? 0;
  if (f > 0 && opts.laterCreations && opts.laterCreations.length > 0) {
    const n = f >= 1 ? 1 : Math.ceil(Math.log(opts.alpha ?? 0.01) / Math.log(1 - f));
    const t = opts.laterCreations[n - 1];
    if (t !== undefined && t < to) {
      to = t;
      basis.push(
        `records absent (a copy holding ${(f * 100).toFixed(1)}% of its population ` +
          `would show one of the ${n} created next)`,
      );
    }
  }
  return { from: iso(from), to: iso(to), consistentRows: cover.count, rows: intervals.length, basis };
}
