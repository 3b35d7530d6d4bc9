#!/usr/bin/env node
// The `tracevault` command. Runs the TypeScript sources through tsx (a runtime dependency).
// `serve` and `demo` run again in a child process with the server's heap flags (src/cli/server-heap.ts).
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const heap = await import('../src/cli/server-heap.ts');
if (heap.needsServerHeap(process.argv)) {
  process.exitCode = await heap.runWithServerHeap(fileURLToPath(import.meta.url), process.argv);
} else {
  // A child of the above: its parent's channel must not keep it alive once its work is done.
  process.channel?.unref();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
