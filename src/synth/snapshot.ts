/** The values of a synthetic family as they stood at a moment: what a copy taken then would hold. */
import type { Vaccination } from '../schema/field-kind.ts';
import type { SimFamily } from './city.ts';

export type Snapshot = Record<string, string | readonly Vaccination[]>;

export function snapshot(f: SimFamily, atMs = Number.POSITIVE_INFINITY): Snapshot {
  const out: Snapshot = { ...f.initial.values };
  for (const c of f.later) {
    if (Date.parse(c.at) > atMs) break;
    Object.assign(out, c.values);
  }
  return out;
}
