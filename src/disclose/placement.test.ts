import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deltas, guilt, placeFakes } from './placement.ts';

// The paper's example: 10 agents each holding 8 of 10 objects (agent i lacks objects i and i+1),
// p = 0.5 (Papadimitriou & Garcia-Molina, IEEE TKDE 2011, §8).
const objects = Array.from({ length: 10 }, (_, t) => `o${t}`);
const alloc = Array.from({ length: 10 }, (_, i) => new Set(objects.filter((_, t) => t !== i && t !== (i + 1) % 10)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('without fakes the mean Δ is about 0.073', () => {
  assert.equal(Math.round(mean(deltas(alloc, 0.5)) * 1000) / 1000, 0.073);
  // Pr{G_i | R_i} for 8 objects each held by 8 agents: 1 − (1 − 0.5/8)^8.
  assert.ok(Math.abs(guilt(alloc, 0, alloc[0]!, 0.5) - (1 - 0.9375 ** 8)) < 1e-12);
});

test('e-optimal placement with one fake per agent lifts the minimum Δ above 0.3', () => {
  const before = Math.min(...deltas(alloc, 0.5));
  const { allocation, fakes } = placeFakes(alloc, 0.5, 10, Array(10).fill(1));
  assert.deepEqual(fakes, Array(10).fill(1));
  const after = Math.min(...deltas(allocation, 0.5));
  assert.ok(before < 0.05 && after > 0.3, `${before} → ${after}`);
});

test('with fewer fakes than agents, the greedy raises the minimum, never lowers it', () => {
  let last = Math.min(...deltas(alloc, 0.5));
  for (const budget of [2, 5, 8]) {
    const { allocation } = placeFakes(alloc, 0.5, budget, Array(10).fill(1));
    const m = mean(deltas(allocation, 0.5));
    assert.ok(m > mean(deltas(alloc, 0.5)));
    assert.ok(Math.min(...deltas(allocation, 0.5)) >= last - 1e-12);
    last = Math.min(...deltas(allocation, 0.5));
  }
});
