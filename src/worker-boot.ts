/**
 * The code a worker thread starts with (`new Worker(code, { eval: true })`) to load a module of
 * ours next to the caller's: from the TypeScript sources (run through tsx) the worker registers
 * tsx first; built JavaScript is imported as it is.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `callerUrl`: the caller's import.meta.url; `name`: the module's file name without extension. */
export function workerBoot(callerUrl: string, name: string): string {
  const ext = extname(fileURLToPath(callerUrl));
  const entry = JSON.stringify(new URL(`./${name}${ext}`, callerUrl).href);
  return ext === '.ts'
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${entry}); })`
    : `import(${entry})`;
}
