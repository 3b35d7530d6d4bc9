/** Shared by the benchmarks: the machine, medians, synthetic files. */
import { cpus, totalmem, platform, release } from 'node:os';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCity } from '../src/synth/city.ts';
import { snapshot } from '../src/synth/snapshot.ts';
import { writeCsv } from '../src/sim/files.ts';
import { BIRTH } from '../src/schema/record-type.ts';

export const BENCH_DIR = join(process.cwd(), '.bench-tmp');

export function machine(): string {
  const c = cpus();
  return (
    `${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `${platform()} ${release()}, Node ${process.version}`
  );
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A CSV of `n` synthetic birth records (current values), cached under .bench-tmp/. */
export async function birthsCsv(n: number, seed = 'bench'): Promise<string> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const file = join(BENCH_DIR, `births-${seed}-${n}.csv`);
  if (!existsSync(file)) {
    const city = generateCity({ seed, families: n });
    await writeCsv(
      file,
      (function* () {
        for (const f of city.families()) yield snapshot(f);
      })(),
      BIRTH.fields.map((f) => f.name),
    );
  }
  return file;
}
