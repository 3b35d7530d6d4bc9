/**
 * How small a leak names its source. 1,000 disclosures, each an export of 300 synthetic families
 * marked for it (disclose/marks.ts); a leak is L rows of which 40% come from elsewhere (unmarked
 * rows of other families), copied — not retyped — and re-read. False-accusation bound 1e-6 over the
 * 1,000 candidates (Bonferroni: each at 1e-9, Bernstein tail). For each L the share of 40 trials in
 * which exactly the leaker(s) are accused; the smallest L reaching 95% is reported, for one leaker
 * (target ≤ 40 rows) and for two colluders merging their copies cell by cell (target ≤ 400 rows).
 * Baseline for comparison, in the same run: the same leaks marked by one bit per row (a single
 * channel), as a plain per-row watermark would carry.
 *
 *   node --import tsx bench/fingerprint.ts [--trials N]
 */
import { createHmac } from 'node:crypto';
import { generateCity } from '../src/synth/city.ts';
import { snapshot } from '../src/synth/snapshot.ts';
import { BIRTH, validateRecord } from '../src/schema/record-type.ts';
import type { FieldValue } from '../src/schema/field-kind.ts';
import { TardosCode } from '../src/disclose/tardos.ts';
import { accused, API_MARKED_KINDS, markRow, observe, scoreCandidates, type Candidate } from '../src/disclose/marks.ts';
import { Rng } from '../src/synth/random.ts';
import { machine } from './common.ts';
import { deltas, placeFakes } from '../src/disclose/placement.ts';

const argTrials = process.argv.indexOf('--trials');
const TRIALS = argTrials > 0 ? Number(process.argv[argTrials + 1]) : 40;
const EPSILON = 1e-6;
const DISCLOSURES = 1000;

const families: Record<string, FieldValue>[] = [];
for (const f of generateCity({ seed: 'bench-fingerprint', families: 3000 }).families()) {
  const v = validateRecord(BIRTH, snapshot(f), { now: new Date('2027-01-01T00:00:00Z') });
  if (v.ok) families.push(Object.fromEntries(v.record.values));
}
const key = (label: string) => createHmac('sha256', 'bench').update(label).digest();
const code = new TardosCode(key('bias'));
const candidates: Candidate[] = Array.from({ length: DISCLOSURES }, (_, j) => ({ id: `d${j}`, key: key(`d${j}`) }));

type Row = Record<string, FieldValue>;

/**
 * What a leaked row holds: every field (an export), what a reveal marks (phones, address), or one channel (the
 * phone).
 */
type Mode = 'all' | 'api' | 'phone';
const view = (r: Row, mode: Mode): Row =>
  mode === 'all'
    ? r
    : mode === 'phone'
      ? { motherPhone: r.motherPhone!, babyName: r.babyName! }
      : Object.fromEntries(
          ['motherPhone', 'fatherPhone', 'address', 'babyName']
            .filter((f) => r[f] !== undefined)
            .map((f) => [f, r[f]!]),
        );

function leak(rng: Rng, leakers: readonly Candidate[], rows: number, mode: Mode): Row[] {
  const start = rng.int(0, families.length - 300 - 1);
  const mine = families.slice(start, start + 300);
  const marked = leakers.map((c) =>
    mine.map((r) => markRow(BIRTH, view(r, mode), code, c.key, mode === 'api' ? API_MARKED_KINDS : undefined)),
  );
  const fromLeakers = Math.round(rows * 0.6);
  const out: Row[] = [];
  for (let i = 0; i < fromLeakers; i++) {
    const at = rng.int(0, 299);
    // Colluders merge cell by cell: each value from one of their copies.
    const copies = marked.map((m) => m[at]!);
    out.push(Object.fromEntries(Object.keys(copies[0]!).map((f) => [f, copies[rng.int(0, copies.length - 1)]![f]!])));
  }
  for (let i = fromLeakers; i < rows; i++)
    out.push(view(families[(start + 300 + rng.int(0, families.length - 301)) % families.length]!, mode));
  return out;
}

/** Share of trials where the leakers are accused and nobody else; innocents scored only when `full`. */
function successRate(rows: number, colluders: number, mode: Mode, full: boolean): number {
  let ok = 0;
  for (let t = 0; t < TRIALS; t++) {
    const rng = new Rng(`${rows}/${colluders}/${mode}/${t}`);
    const leakers = Array.from({ length: colluders }, (_, i) => candidates[(t * 37 + i * 501) % DISCLOSURES]!);
    const observed = observe(BIRTH, leak(rng, leakers, rows, mode));
    const scored = scoreCandidates(code, observed, full ? candidates : leakers);
    // With only the leakers scored, Bonferroni still divides by all candidates.
    const bound = full ? EPSILON : (EPSILON / DISCLOSURES) * scored.length;
    const named = accused(scored, bound)
      .map((s) => s.id)
      .sort();
    if (named.length === colluders && leakers.every((l) => named.includes(l.id))) ok++;
  }
  return ok / TRIALS;
}

function smallest(colluders: number, mode: Mode, grid: readonly number[]): { rows: number | null; rate: number } {
  for (const rows of grid) {
    if (successRate(rows, colluders, mode, false) >= 0.95) {
      // Confirm against all 1,000 candidates: no innocent may be accused.
      const rate = successRate(rows, colluders, mode, true);
      if (rate >= 0.95) return { rows, rate };
    }
  }
  return { rows: null, rate: 0 };
}

console.log(`machine: ${machine()}`);
console.log(
  `${DISCLOSURES} disclosures, false-accusation bound ${EPSILON}, ${TRIALS} trials a point, 40% noise rows\n`,
);
const t0 = performance.now();
const single = smallest(1, 'all', [10, 15, 20, 25, 30, 35, 40, 50, 60, 80, 100]);
const pair = smallest(2, 'all', [50, 75, 100, 150, 200, 250, 300, 400, 500, 600]);
const reveals = smallest(1, 'api', [10, 15, 20, 25, 30, 35, 40, 50, 60, 80, 100]);
const baseline = smallest(1, 'phone', [20, 40, 60, 80, 100, 150, 200, 300, 400]);
console.log('| leak | smallest leak naming the source in ≥ 95% of trials | target |');
console.log('| --- | ---: | ---: |');
console.log(`| one leaker, all channels | ${single.rows ?? '> 100'} rows | ≤ 40 |`);
console.log(`| two colluders, all channels | ${pair.rows ?? '> 600'} rows | ≤ 400 |`);
console.log(
  "| one leaker, API reveals (phones and address marked; the principal's codeword) | " +
    `${reveals.rows ?? '> 100'} rows | |`,
);
console.log(`| baseline: one leaker, a single channel (the phone) | ${baseline.rows ?? '> 400'} rows | |`);
console.log(`\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);

// The fake-object check of Papadimitriou & Garcia-Molina (IEEE TKDE 2011): 10 agents, each with 8
// of 10 objects (agent i lacks objects i and i+1), p = 0.5.
const objects = Array.from({ length: 10 }, (_, t) => `o${t}`);
const alloc = Array.from({ length: 10 }, (_, i) => new Set(objects.filter((_, t) => t !== i && t !== (i + 1) % 10)));
const d0 = deltas(alloc, 0.5);
const placed = placeFakes(alloc, 0.5, 10, Array(10).fill(1));
const d1 = deltas(placed.allocation, 0.5);
console.log('\n| placement check (10 agents, 8 of 10 objects each, p = 0.5) | mean Δ | min Δ | paper |');
console.log('| --- | ---: | ---: | --- |');
console.log(
  `| no fakes | ${(d0.reduce((a, b) => a + b, 0) / d0.length).toFixed(3)} | ` +
    `${Math.min(...d0).toFixed(3)} | mean Δ ≈ 0.073 |`,
);
console.log(
  `| e-optimal, one fake per agent | ${(d1.reduce((a, b) => a + b, 0) / d1.length).toFixed(3)} | ` +
    `${Math.min(...d1).toFixed(3)} | min Δ > 0.3 |`,
);
