// Builds the parents' portal (web/) into web/dist/, which `tracevault serve` serves at /portal/:
// first the API types from the server's OpenAPI document (scripts/gen-api-types.ts, when stale),
// then Vite (web/vite.config.ts). `--if-needed` (what `npm start` runs) does nothing when the
// build is newer than everything it is made from: web/, src/ (the API) and package-lock.json.
//
//   node --import tsx scripts/build-web.ts [--if-needed]
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'web');
const BUILT = join(WEB, 'dist', 'index.html');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path)
    .filter((name) => path !== WEB || name !== 'dist')
    .reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

function upToDate(): boolean {
  let built: number;
  try {
    built = statSync(BUILT).mtimeMs;
  } catch {
    return false;
  }
  return [WEB, join(ROOT, 'src'), join(ROOT, 'package-lock.json')].every((p) => newest(p) < built);
}

if (process.argv.includes('--if-needed') && upToDate()) process.exit(0);
execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'gen-api-types.ts'), '--if-stale'], {
  stdio: 'inherit',
});
await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
console.log(`built the parents' portal into web/dist/`);
