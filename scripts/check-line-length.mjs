// No line of the project's code over 120 columns (Prettier wraps code; this catches the long strings and
// comments it leaves alone). Generated data and outside vectors are exempt. Exit 1 listing file:line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX = 120;
const ROOTS = ['src', 'bench', 'test', 'scripts', 'bin', 'web'];
const SKIP = new Set(['node_modules', 'vectors', 'fixtures', 'dist']);
// Generated: the regions table, and the API types of the web app (scripts/gen-api-types.ts).
const EXEMPT = new Set([join('src', 'schema', 'regions-data.ts'), join('web', 'src', 'api', 'schema.d.ts')]);

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|js|mjs|cjs|css|html)$/.test(name) && !EXEMPT.has(p)) yield p;
  }
}

const long = [];
for (const root of ROOTS) {
  for (const f of files(root)) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if ([...line].length > MAX) long.push(`${f}:${i + 1} (${[...line].length})`);
      });
  }
}
if (long.length > 0) {
  console.error(`${long.length} lines over ${MAX} columns:\n${long.join('\n')}`);
  process.exit(1);
}
