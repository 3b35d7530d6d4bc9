/**
 * Worker threads that seal an import's batches (import-worker.ts) while the main thread reads the
 * file and writes to the database. Batches come back in the order they were sent. A worker's heap
 * is capped: it holds one batch at a time.
 */
import { Worker } from 'node:worker_threads';
import { TracevaultError } from '../errors.ts';
import { workerBoot, WorkerRequests } from '../worker-thread.ts';
import { unpack, type PackedRows } from './packed-batch.ts';
import type { WorkerInit } from './import-worker.ts';
import type { SealedRows, SealJob } from './seal-rows.ts';

const BOOT = workerBoot(import.meta.url, 'import-worker');

export class SealerPool {
  readonly #workers: WorkerRequests<{ result: PackedRows; bytes: ArrayBuffer }, SealedRows>[];
  #next = 0;

  constructor(init: WorkerInit, size: number) {
    this.#workers = Array.from(
      { length: size },
      () =>
        new WorkerRequests(
          new Worker(BOOT, {
            eval: true,
            workerData: init,
            resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
          }),
          (m: { result: PackedRows; bytes: ArrayBuffer }) => unpack(m.result, m.bytes),
        ),
    );
  }

  /** Batches sent and not yet back. */
  get queued(): number {
    return this.#workers.reduce((n, w) => n + w.pending, 0);
  }

  get size(): number {
    return this.#workers.length;
  }

  seal(job: SealJob): Promise<SealedRows> {
    // A worker that failed fails the import: no later batch is sent.
    if (this.#workers.some((w) => w.failed)) return Promise.reject(new TracevaultError('ERR_INTERNAL'));
    return this.#workers[this.#next++ % this.#workers.length]!.request({ job });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
  }
}
