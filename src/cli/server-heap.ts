/**
 * The server's young generation. A reveal keeps its objects for the milliseconds it waits for its
 * commit to reach the disk, and under load dozens wait at once: with Node's default semi-space
 * (16 MiB) a scavenge finds them alive, copies them and promotes them to the old generation, which
 * must then be collected too. With 32 MiB most die young (bench/RESULTS.md, session 11: 8% less
 * CPU a reveal; 2% for the bare baseline); the young generation may then take 3 × 32 MiB instead
 * of 3 × 16 (the memory target is measured with it).
 *
 * V8 sizes its heap when the process starts, so `serve` and `demo` run again in a child process
 * with the flag. The parent only waits: it passes SIGINT, SIGTERM and SIGHUP on and exits with the
 * child's code; the child stops as on SIGTERM if its parent goes away (the IPC channel closes).
 * Imports nothing of the application, so that the waiting parent stays small.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export const SERVER_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** The commands that serve: `tracevault serve …` and `tracevault demo …`. */
const SERVING = new Set(['serve', 'demo']);

/** True when `argv` (process.argv) starts a server in a process that has no young-generation size set. */
export function needsServerHeap(argv: readonly string[], execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  const set = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => a.startsWith('--max-semi-space-size'));
  return SERVING.has(argv[2] ?? '') && !argv.includes('--help') && !argv.includes('--no-serve') && !set;
}

/** Runs `script` with argv's arguments in a child process with SERVER_HEAP_FLAGS; resolves to its exit code. */
export function runWithServerHeap(script: string, argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...SERVER_HEAP_FLAGS, ...process.execArgv, script, ...argv.slice(2)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const pass = (sig: NodeJS.Signals) => child.kill(sig);
  for (const sig of signals) process.on(sig, pass);
  return new Promise((resolve) => {
    child.once('error', () => resolve(70));
    child.once('exit', (code, signal) => {
      for (const sig of signals) process.off(sig, pass);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
