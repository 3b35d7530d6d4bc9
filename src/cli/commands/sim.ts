import { loadCity } from '../../sim/load.ts';
import { withVault, type VaultOptions } from '../context.ts';
import { out, progress } from '../output.ts';

export async function simCommand(
  opts: VaultOptions & { families: number; seed: string; hospitals?: number; until?: string },
): Promise<void> {
  await withVault(opts, async (vault, me) => {
    const bar = progress('sim');
    const started = Date.now();
    const r = await loadCity(
      vault,
      me,
      { seed: opts.seed, families: opts.families, hospitals: opts.hospitals, until: opts.until },
      (d, t) => bar.update(d, t),
    );
    bar.end();
    out(
      `synthetic city (seed ${opts.seed}): ${r.created} new birth records of ${r.families} families, ` +
        `${r.hospitals.length} hospitals, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
}
