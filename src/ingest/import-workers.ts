/**
 * Worker threads that seal an import's batches (import-worker.ts) while the main thread reads the
 * file and writes to the database. Batches come back in the order they were sent. A worker's heap
 * is capped: it holds one batch at a time.
 */
import { Worker } from 'node:worker_threads';
import { TracevaultError, type ErrorCode } from '../errors.ts';
import { workerBoot } from '../worker-boot.ts';
import { unpack, type PackedRows } from './packed-batch.ts';
import type { WorkerInit } from './import-worker.ts';
import type { SealedRows, SealJob } from './seal-rows.ts';

const BOOT = workerBoot(import.meta.url, 'import-worker');

type Reply = { id: number; result: PackedRows; bytes: ArrayBuffer; code?: undefined } | { id: number; code: ErrorCode };

export class SealerPool {
  readonly #workers: Worker[];
  readonly #waiting = new Map<number, { resolve: (r: SealedRows) => void; reject: (e: unknown) => void }>();
  #next = 0;
  #failed: TracevaultError | undefined;

  constructor(init: WorkerInit, size: number) {
    this.#workers = Array.from({ length: size }, () => {
      const w = new Worker(BOOT, { eval: true, workerData: init, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } });
      w.on('message', (m: Reply) => {
        const p = this.#waiting.get(m.id);
        this.#waiting.delete(m.id);
        if (m.code) p?.reject(new TracevaultError(m.code));
        else p?.resolve(unpack(m.result, m.bytes));
      });
      // A worker that fails to start or dies fails every batch in flight, and the import with them.
      const fail = () => {
        this.#failed ??= new TracevaultError('ERR_INTERNAL');
        for (const p of this.#waiting.values()) p.reject(this.#failed);
        this.#waiting.clear();
      };
      w.on('error', fail);
      w.on('exit', (code) => code !== 0 && fail());
      return w;
    });
  }

  /** Batches sent and not yet back. */
  get queued(): number {
    return this.#waiting.size;
  }

  get size(): number {
    return this.#workers.length;
  }

  seal(job: SealJob): Promise<SealedRows> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#workers[id % this.#workers.length]!.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
