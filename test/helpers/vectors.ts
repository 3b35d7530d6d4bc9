/**
 * Test vectors from outside the project, kept unchanged in `test/vectors/` (see its README for
 * where each file comes from and under which licence). Never edit a vector to make a test pass.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder `test/vectors/` of this repository. */
export const VECTORS = fileURLToPath(new URL('../vectors/', import.meta.url));

/** A path under `test/vectors/`. */
export function vectorPath(rel: string): string {
  return join(VECTORS, rel);
}
