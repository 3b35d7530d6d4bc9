/**
 * WAL checkpoints on a thread of their own. With SQLite's default, the commit that takes the WAL
 * past 1,000 pages also copies them into the database file and syncs it — on the event loop, inside
 * a request (a fifth of the read path's time under load). Here the writer never checkpoints
 * (`wal_autocheckpoint = 0`); a worker thread with its own connection runs a PASSIVE checkpoint
 * every few hundred milliseconds, which never blocks readers or the writer (sqlite.org/wal.html
 * §3, sqlite.org/c3ref/wal_checkpoint_v2.html). Should the worker stop, the writer checkpoints
 * again itself, so the WAL never grows without bound.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');
const EVERY_MS = 250;

// Plain JavaScript: the worker needs no TypeScript loader.
const SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('cache_size = -2048');
db.pragma('synchronous = FULL');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); checkpoint(); db.close(); parentPort.postMessage('closed'); });
parentPort.postMessage('ready');
`;

export class WalCheckpoints {
  readonly #worker: Worker;
  readonly #stopped: Promise<void>;

  constructor(writer: Database.Database, file: string) {
    writer.pragma('wal_autocheckpoint = 0');
    this.#worker = new Worker(SOURCE, { eval: true, workerData: { driver: DRIVER, file, everyMs: EVERY_MS }, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 } });
    this.#worker.unref();
    this.#stopped = new Promise((resolve) => {
      const fallback = () => {
        if (writer.open) writer.pragma('wal_autocheckpoint = 1000');
        resolve();
      };
      this.#worker.on('message', (m) => m === 'closed' && resolve());
      this.#worker.on('error', fallback);
      this.#worker.on('exit', fallback);
    });
  }

  /** A last checkpoint, then the worker's connection closes (before the writer's, which removes the WAL). */
  async close(): Promise<void> {
    this.#worker.postMessage('close');
    await Promise.race([this.#stopped, new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.#worker.terminate();
  }
}
