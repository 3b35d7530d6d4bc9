/**
 * Where `../shared` (design, vectors from outside the project) is: beside the repository, else
 * `$TRACEVAULT_SHARED`, else beside the repository this one was cloned from (a fresh clone made in
 * a temporary directory, as CI does). Missing, the tests fail: the outside vectors are not optional.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

const REPO = resolve(new URL('../..', import.meta.url).pathname);

function origin(): string | undefined {
  try {
    const url = execFileSync('git', ['-C', REPO, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    return url.startsWith('/') || url.startsWith('.') ? resolve(REPO, url) : undefined;
  } catch {
    return undefined;
  }
}

function find(): string {
  const o = origin();
  const candidates = [join(dirname(REPO), 'shared'), process.env.TRACEVAULT_SHARED, o && join(dirname(o), 'shared')].filter((c): c is string => !!c);
  const found = candidates.find((c) => existsSync(join(c, 'vectors')));
  if (!found) throw new Error(`../shared/vectors not found (looked in ${candidates.join(', ')}); set TRACEVAULT_SHARED`);
  return found;
}

export const SHARED = find();

/** A path under ../shared/vectors/. */
export function vectorPath(rel: string): string {
  return join(SHARED, 'vectors', rel);
}
