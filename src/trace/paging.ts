/**
 * Paging for a trace's queries: lists cut into pages, and the `?` placeholders of a page's IN list
 * (a statement takes a bounded number of parameters).
 */

export function chunks<T>(xs: readonly T[], n = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export const qs = (n: number) => Array.from({ length: n }, () => '?').join(',');
