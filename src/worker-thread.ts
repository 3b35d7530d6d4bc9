/**
 * Our worker threads: the code a worker starts with, and numbered requests to it with their
 * replies. Of an error only its code crosses back (a message might quote a value); a worker that
 * fails to start or dies fails every request in flight and every later one.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, type TransferListItem, type Worker } from 'node:worker_threads';
import { TracevaultError, type ErrorCode } from './errors.ts';

/**
 * The code a worker thread starts with (`new Worker(code, { eval: true })`) to load a module of
 * ours next to the caller's: from the TypeScript sources (run through tsx) the worker registers
 * tsx first; built JavaScript is imported as it is. `callerUrl`: the caller's import.meta.url;
 * `name`: the module's file name without extension.
 */
export function workerBoot(callerUrl: string, name: string): string {
  const ext = extname(fileURLToPath(callerUrl));
  const entry = JSON.stringify(new URL(`./${name}${ext}`, callerUrl).href);
  return ext === '.ts'
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
        `.then((m) => { m.register(); return import(${entry}); })`
    : `import(${entry})`;
}

type Reply<T> = ({ code?: undefined } & T) | { code: ErrorCode };

/** The caller's side: requests to one worker, each answered by `result` of its reply. */
export class WorkerRequests<T extends object, R> {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (r: R) => void; reject: (e: unknown) => void }>();
  #next = 0;
  #failed: TracevaultError | undefined;

  constructor(worker: Worker, result: (reply: T) => R) {
    this.#worker = worker;
    worker.on('message', (m: Reply<T> & { id: number }) => {
      const p = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (m.code) p?.reject(new TracevaultError(m.code));
      else p?.resolve(result(m));
    });
    const fail = () => {
      this.#failed ??= new TracevaultError('ERR_INTERNAL');
      for (const p of this.#waiting.values()) p.reject(this.#failed);
      this.#waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => code !== 0 && fail());
  }

  get failed(): boolean {
    return this.#failed !== undefined;
  }

  /** Requests sent and not yet answered. */
  get pending(): number {
    return this.#waiting.size;
  }

  request(message: object, transfer?: readonly TransferListItem[]): Promise<R> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

/** The worker's side: each request answered with what `handle` returns, or with the code of what it throws. */
export function answerRequests<M>(
  handle: (message: M) => { reply: object; transfer?: readonly TransferListItem[] },
): void {
  parentPort!.on('message', (m: M & { id: number }) => {
    try {
      const { reply, transfer } = handle(m);
      parentPort!.postMessage({ ...reply, id: m.id }, transfer);
    } catch (e) {
      parentPort!.postMessage({ id: m.id, code: e instanceof TracevaultError ? e.code : 'ERR_INTERNAL' });
    }
  });
}
