/**
 * Import of N synthetic birth records (default 100,000; BENCH_ROWS to change), SQLite and
 * PostgreSQL, against plain inserts of the same rows in clear measured in the same run.
 * Targets (issue 2): at least 10,000 records/s on SQLite, peak memory under 300 MB.
 */
import { spawnSync } from 'node:child_process';
import { birthsCsv, machine } from './common.ts';

const n = Number(process.env.BENCH_ROWS ?? 100_000);
const file = await birthsCsv(n);
console.log(`machine: ${machine()}`);
console.log(
  `import of ${n.toLocaleString('en')} synthetic birth records (CSV, UTF-8, 17 columns); each case in its own process`,
);
const results: Record<string, { perSecond: number; peakMB: number; ms: number }> = {};
for (const mode of [
  'baseline-sqlite',
  'tracevault-sqlite',
  'tracevault-sqlite-threads1',
  'baseline-postgres',
  'tracevault-postgres',
  'tracevault-postgres-threads1',
]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL('./import-case.ts', import.meta.url).pathname, mode, file],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    console.log(`${mode}: failed (${r.stderr.split('\n')[0]})`);
    continue;
  }
  const line = JSON.parse(r.stdout.trim().split('\n').pop()!);
  results[mode] = line;
  console.log(
    `${mode.padEnd(28)} ${String(line.perSecond).padStart(7)} records/s  ` +
      `${String(line.ms).padStart(7)} ms  peak ${line.peakMB} MB`,
  );
}
for (const db of ['sqlite', 'postgres']) {
  const b = results[`baseline-${db}`],
    t = results[`tracevault-${db}`];
  const w = results[`tracevault-${db}-threads1`];
  if (b && t)
    console.log(
      `${db}: tracevault at ${((t.perSecond / b.perSecond) * 100).toFixed(0)}% of the clear-insert baseline` +
        `${w ? `, ${((w.perSecond / b.perSecond) * 100).toFixed(0)}% with one sealing thread` : ''}`,
    );
}
const sq = results['tracevault-sqlite'];
if (sq)
  console.log(
    `targets: ≥10,000 records/s on SQLite: ${sq.perSecond >= 10_000 ? 'met' : 'NOT met'}; ` +
      `peak < 300 MB: ${sq.peakMB < 300 ? 'met' : 'NOT met'}`,
  );
