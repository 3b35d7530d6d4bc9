/**
 * WAL checkpoints on a thread of their own. By default the commit that takes the WAL past 1,000
 * pages copies them into the database file and syncs it, on the event loop (better-sqlite3 is
 * synchronous): every request in flight waited several milliseconds. Here the writer never
 * checkpoints (`wal_autocheckpoint = 0`); a worker thread with its own connection runs a PASSIVE
 * checkpoint every 100 ms, which blocks no one, and once the WAL holds more than 20,000 frames
 * (~80 MB) a RESTART checkpoint, which takes the write lock for as long as it copies what remains,
 * so that the next write starts the WAL from the beginning again (under steady writes PASSIVE
 * alone never lets it restart, and the WAL grows without bound). That next write syncs the new WAL
 * header (a 13 ms COMMIT measured on the event loop): after its RESTART the worker makes that write
 * itself, of the database header's user_version, unchanged. (When a PASSIVE checkpoint happens to
 * complete, the writer restarts the WAL on its own and syncs the header there — likely the 3–4 ms
 * COMMITs seen at half load. That sync keeps old frames from being replayed after a crash, so it
 * stays.) Each RESTART costs the requests of that moment the lock held for ~10–20 ms. At 2,000
 * frames they came about once a second under load and set the read path's p99 (17–19 ms at half its
 * maximum); at 20,000 it was 6–9 ms (bench/RESULTS.md). Writers that meet that lock wait on a
 * timer, not in SQLite's busy handler (sqlite.ts). Modes: sqlite.org/c3ref/wal_checkpoint_v2.html.
 * Should the worker stop, the writer checkpoints by itself again.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

// Plain JavaScript: the worker needs no TypeScript loader.
const SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 2000');
db.pragma('cache_size = -4096');
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.log > workerData.restartFrames) {
      db.pragma('wal_checkpoint(RESTART)');
      // The write after a restart starts the WAL over and syncs its new header: a write of this
      // thread's (the header page, unchanged), so that the sync is not on the event loop.
      db.pragma('user_version = ' + db.pragma('user_version', { simple: true }));
    }
  } catch {}
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); checkpoint(); db.close(); parentPort.postMessage('closed'); });
`;

export class WalCheckpoints {
  readonly #worker: Worker;
  readonly #stopped: Promise<void>;

  constructor(writer: Database.Database, file: string, opts: { everyMs?: number; restartFrames?: number } = {}) {
    writer.pragma('wal_autocheckpoint = 0');
    this.#worker = new Worker(SOURCE, {
      eval: true,
      workerData: { driver: DRIVER, file, everyMs: opts.everyMs ?? 100, restartFrames: opts.restartFrames ?? 20_000 },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
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
