import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { WorkerRequests } from './worker-thread.ts';

// A worker that doubles, answers with an error code, or dies, as asked.
const WORKER = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.kind === 'double') parentPort.postMessage({ id: m.id, value: m.x * 2 });
  else if (m.kind === 'refuse') parentPort.postMessage({ id: m.id, code: 'ERR_DECRYPT' });
  else setTimeout(() => process.exit(3), 20);
});`;

test(
  'worker requests: answered by id, an error crosses as its code, ' +
    'a dead worker fails what is in flight and what comes after',
  async () => {
    const w = new WorkerRequests(new Worker(WORKER, { eval: true }), (m: { value: number }) => m.value);
    try {
      assert.deepEqual(await Promise.all([1, 2, 3].map((x) => w.request({ kind: 'double', x }))), [2, 4, 6]);
      await assert.rejects(w.request({ kind: 'refuse' }), { code: 'ERR_DECRYPT' });
      const dying = w.request({ kind: 'die' });
      const inFlight = w.request({ kind: 'double', x: 5 }).catch((e: unknown) => e);
      await assert.rejects(dying, { code: 'ERR_INTERNAL' });
      assert.equal(w.failed, true);
      assert.equal(w.pending, 0);
      await assert.rejects(w.request({ kind: 'double', x: 1 }), { code: 'ERR_INTERNAL' });
      // The request sent after the fatal one was answered before the worker died, or failed with it.
      const r = await inFlight;
      assert.ok(r === 10 || (r as { code?: string }).code === 'ERR_INTERNAL');
    } finally {
      await w.close();
    }
  },
);
