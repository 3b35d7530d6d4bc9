/**
 * Where to put fake records (canaries), after P. Papadimitriou and H. Garcia-Molina, "Data Leakage
 * Detection", IEEE TKDE 23(1), 2011 (§4–§6). Agents U_i received object sets R_i; a leaked set S may
 * have been guessed by the target with probability p per object. The probability that agent i is
 * guilty given S (their equation 3, each object leaked by any one of its holders equally):
 *
 *   Pr{G_i | S} = 1 − Π_{t ∈ S ∩ R_i} (1 − (1 − p) / |V_t|),   V_t = the agents holding t.
 *
 * Δ(i, j) = Pr{G_i | R_i} − Pr{G_j | R_i} says how well a leak of all of i's objects tells i from
 * j. A fake object given to agent i alone has |V_t| = 1 and raises Pr{G_i | R_i} only. The greedy
 * e-optimal allocation gives fakes one at a time, each to the agent whose extra fake most raises the
 * smallest Δ (ties: the sum), within a total budget and per-agent limits.
 */

export type Allocation = readonly ReadonlySet<string>[];

function holders(alloc: Allocation): Map<string, number> {
  const v = new Map<string, number>();
  for (const r of alloc) for (const t of r) v.set(t, (v.get(t) ?? 0) + 1);
  return v;
}

export function guilt(
  alloc: Allocation,
  i: number,
  leaked: ReadonlySet<string>,
  p: number,
  v = holders(alloc),
): number {
  let innocent = 1;
  for (const t of leaked) if (alloc[i]!.has(t)) innocent *= 1 - (1 - p) / v.get(t)!;
  return 1 - innocent;
}

export function delta(alloc: Allocation, i: number, j: number, p: number, v = holders(alloc)): number {
  return guilt(alloc, i, alloc[i]!, p, v) - guilt(alloc, j, alloc[i]!, p, v);
}

/** Every Δ(i, j), i ≠ j. */
export function deltas(alloc: Allocation, p: number): number[] {
  const v = holders(alloc);
  const out: number[] = [];
  for (let i = 0; i < alloc.length; i++)
    for (let j = 0; j < alloc.length; j++) if (i !== j) out.push(delta(alloc, i, j, p, v));
  return out;
}

/**
 * Greedy e-optimal placement: `budget` fakes in all, at most `limits[i]` to agent i. Returns the new
 * allocation (fakes named `fake:<agent>:<n>`) and how many each agent got.
 */
export function placeFakes(
  alloc: Allocation,
  p: number,
  budget: number,
  limits: readonly number[],
): { allocation: Set<string>[]; fakes: number[] } {
  const current = alloc.map((r) => new Set(r));
  const fakes = alloc.map(() => 0);
  const objective = (a: Allocation) => {
    const d = deltas(a, p);
    return { min: Math.min(...d), sum: d.reduce((x, y) => x + y, 0) };
  };
  for (let n = 0; n < budget; n++) {
    let best: { agent: number; min: number; sum: number } | undefined;
    for (let i = 0; i < current.length; i++) {
      if (fakes[i]! >= (limits[i] ?? 0)) continue;
      const trial = current.map((r, k) => (k === i ? new Set([...r, `fake:${i}:${fakes[i]}`]) : r));
      const o = objective(trial);
      if (!best || o.min > best.min + 1e-12 || (Math.abs(o.min - best.min) <= 1e-12 && o.sum > best.sum))
        best = { agent: i, ...o };
    }
    if (!best) break;
    current[best.agent]!.add(`fake:${best.agent}:${fakes[best.agent]}`);
    fakes[best.agent]!++;
  }
  return { allocation: current, fakes };
}
