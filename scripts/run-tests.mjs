// Runs every *.test.ts under src/, test/ and web/ with node's own test runner (TypeScript through tsx).
// Node 20's --test takes no globs, so the files are listed here. Extra arguments are passed through
// (e.g. a file name to run one suite).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    // fixtures/ holds inputs of tests (test/fixtures/layering: trees for the dependency rules), not tests.
    // dist/: the built web app (web/dist), no tests.
    if (name === 'fixtures' || name === 'dist' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args : [...find('src'), ...find('test'), ...find('web')].sort();
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
);
process.exit(r.status ?? 1);
