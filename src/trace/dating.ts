/**
 * When a leak was taken: the window the linked rows of the leading source allow (window.ts), cut
 * by the first call of a complaint set and weighed against the records created after it.
 */
import type { Registry } from '../store/registry.ts';
import { rowsOfLead, type Prepared, type Verdict } from './evidence.ts';
import type { LeakRow } from './leak-row.ts';
import type { Link } from './linkage.ts';
import type { HeldRecord } from './link-rows.ts';
import { creations } from './registry-counts.ts';
import { estimateWindow, linkInterval, type Window } from './window.ts';

/** The times (ms) of a complaint set's calls; none for a leak without them. */
export function callTimes(rows: readonly LeakRow[]): number[] {
  return rows.map((r) => (r.calledAt ? Date.parse(r.calledAt) : NaN)).filter((t) => !Number.isNaN(t));
}

/**
 * The leak's window, dated by the linked rows consistent with the leading source (`records`: how many records
 * they link to).
 */
export async function dateLeak(
  reg: Registry,
  linked: readonly { l: Link; i: number }[],
  held: ReadonlyMap<number, HeldRecord>,
  prepared: Prepared,
  verdict: Verdict,
  calls: readonly number[],
  records: number,
): Promise<Window> {
  const dated = rowsOfLead(prepared, verdict);
  const intervals = dated.map((k) => linkInterval(linked[k]!.l, held.get(linked[k]!.l.seq)!.createdAt));
  const firstCall = calls.length > 0 ? Math.min(...calls) : undefined;
  let window = estimateWindow(intervals, { firstCall });
  const orgs = [...new Set(linked.map((x) => held.get(x.l.seq)!.orgId).filter((o): o is string => o !== null))];
  if (window.from) {
    const c = await creations(reg, orgs, Date.parse(window.from), 2000);
    const fraction = c.before > 0 ? Math.min(1, records / c.before) : 0;
    window = estimateWindow(intervals, { firstCall, fraction, laterCreations: c.later });
  }
  if (dated.length < linked.length)
    window = {
      ...window,
      basis: [
        `dated by the ${dated.length} of ${linked.length} linked rows consistent with the leading source ` +
          `(the rest taken as noise)`,
        ...window.basis,
      ],
    };
  return window;
}
