/**
 * The seller's copy of a leaked file (leak.ts): relabelled in Chinese, shuffled, about `noise` of its
 * rows fabricated or misspelt, the rows the story needs intact, the same copy from the same seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leakedCopy } from './leak.ts';

const HEADER = ['babyName', 'motherName', 'motherPhone', 'birthDate', 'dueVaccine', 'canary'];
const ROWS = Array.from({ length: 400 }, (_, i) => [
  `宝宝${i}`,
  `妈妈${i}`,
  `138${String(i).padStart(8, '0')}`,
  '2026-05-01',
  'HepB',
  '',
]);

test('the copy is relabelled, drops the canary flag, and keeps every row as it was but the noisy ones', () => {
  const copy = leakedCopy(HEADER, ROWS, { seed: 's', noise: 0.4 });
  assert.deepEqual(copy.header, ['宝宝姓名', '母亲姓名', '妈妈手机', '出生日期', 'dueVaccine']);
  assert.equal(copy.rows.length, ROWS.length);
  // About 40% altered (binomial, 400 rows: well inside 30–50%).
  assert.ok(copy.altered.size > 120 && copy.altered.size < 200, String(copy.altered.size));
  const asText = new Set(copy.rows.map((r) => r.join('|')));
  for (const [n, r] of ROWS.entries()) {
    const kept = asText.has(r.slice(0, 5).join('|'));
    assert.equal(kept, !copy.altered.has(n), `row ${n}`);
  }
  // Shuffled: the first rows of the copy are not the file's first rows.
  assert.notDeepEqual(
    copy.rows.slice(0, 5),
    ROWS.slice(0, 5).map((r) => r.slice(0, 5)),
  );
});

test('rows the story needs stay intact, and the same seed gives the same copy', () => {
  const intact = (r: readonly string[]) => r[2]!.endsWith('7');
  const a = leakedCopy(HEADER, ROWS, { seed: 'x', noise: 0.9, intact });
  for (const n of a.altered) assert.ok(!intact(ROWS[n]!), `row ${n}`);
  assert.deepEqual(leakedCopy(HEADER, ROWS, { seed: 'x', noise: 0.9, intact }), a);
  assert.notDeepEqual(leakedCopy(HEADER, ROWS, { seed: 'y', noise: 0.9, intact }).rows, a.rows);
});
