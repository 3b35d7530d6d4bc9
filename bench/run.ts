/** `npm run bench`: every benchmark, one after another. */
import { spawnSync } from 'node:child_process';

for (const b of [
  'field-cipher.ts',
  'import.ts',
  'ledger.ts',
  'read-path.ts',
  'fingerprint.ts',
  'trace-speed.ts',
  'trace-stall.ts',
  'trace-sim.ts',
  'multi-instance.ts',
]) {
  console.log(`\n## ${b}\n`);
  spawnSync(process.execPath, ['--import', 'tsx', new URL(`./${b}`, import.meta.url).pathname], { stdio: 'inherit' });
}
