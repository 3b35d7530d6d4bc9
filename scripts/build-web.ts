// Builds the web apps: the parents' portal (web/) into web/dist/, which `tracevault serve` serves at
// /portal/, and the staff console (web/console/) into web/console/dist/, served at /console/: first
// the API types from the server's OpenAPI document (scripts/gen-api-types.ts, when stale), then
// Vite (web/vite.config.ts, web/console/vite.config.ts). `--if-needed` (what `npm start` runs) does
// nothing when both builds are newer than everything they are made from: web/, src/ (the API) and
// package-lock.json.
//
//   node --import tsx scripts/build-web.ts [--if-needed]
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'web');
const CONSOLE = join(WEB, 'console');
const BUILT = [join(WEB, 'dist', 'index.html'), join(CONSOLE, 'dist', 'index.html')];

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path)
    .filter((name) => name !== 'dist' || (path !== WEB && path !== CONSOLE))
    .reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

function upToDate(): boolean {
  let built: number;
  try {
    built = Math.min(...BUILT.map((f) => statSync(f).mtimeMs));
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
await build({ configFile: join(CONSOLE, 'vite.config.ts'), logLevel: 'warn' });
console.log(`built the staff console into web/console/dist/`);
