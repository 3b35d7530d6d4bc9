import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initVault, FILES } from '../../store/vault.ts';
import { loadCity } from '../../sim/load.ts';
import { summarise } from '../../store/summary.ts';
import { out, progress } from '../output.ts';
import { printSummary } from './summary.ts';
import { getCommand } from './records.ts';

/** `npm start`: a vault on the embedded default (SQLite) with a synthetic city, then what it holds. */
export async function demoCommand(opts: { data: string; families: number; seed: string }): Promise<void> {
  const dir = resolve(opts.data);
  let firstId: string | undefined;
  if (!existsSync(join(dir, FILES.config))) {
    out(`creating a demo vault in ${dir} …`);
    const { vault, admin } = await initVault(dir);
    try {
      const bar = progress('synthetic city');
      await loadCity(vault, admin, { seed: opts.seed, families: opts.families }, (d, t) => bar.update(d, t));
      bar.end();
      out('');
      printSummary(await summarise(vault));
      firstId = (await vault.db.get<{ id: string }>("SELECT id FROM records WHERE record_type = 'birth' ORDER BY seq LIMIT 1"))?.id;
    } finally {
      await vault.close();
    }
  } else {
    out(`using the demo vault in ${dir}`);
  }
  if (firstId) {
    out('');
    out('one record, as anyone without a stated purpose sees it:');
    await getCommand(firstId, { data: dir });
  }
  out('');
  out(`admin token: ${join(dir, FILES.adminToken)}; try: tracevault records get ID --data ${opts.data} --history`);
}
