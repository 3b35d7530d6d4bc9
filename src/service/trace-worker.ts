/**
 * The worker thread of one trace job (trace-jobs.ts): reads the uploaded leak (trace/leak-upload.ts),
 * traces it on a connection of its own to the vault's database (trace/trace.ts, linking on this
 * thread), and seals the report. Its heap is capped by the job's runner; whatever it holds goes when
 * it ends. What crosses back: progress (a phase name and counts), the sealed report with the few
 * counts its ledger entry names, or an error's code and safe details — never a value of the leak.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { TracevaultError, type ErrorCode, type ErrorDetails } from '../errors.ts';
import { seal } from '../crypto/aead.ts';
import { tenantKeysOf, type TransferredKeys } from '../crypto/keyring.ts';
import { tableAuditSink } from '../store/audit.ts';
import type { DatabaseConfig } from '../store/db.ts';
import { openDb } from '../store/dialect/open-db.ts';
import { Registry } from '../store/registry.ts';
import { loadDataKeys } from '../store/vault.ts';
import type { LeakFormat } from '../trace/leak-table.ts';
import { readLeakUpload, type UploadKind } from '../trace/leak-upload.ts';
import { runTrace } from '../trace/trace.ts';
import { ServiceKeys } from './keys.ts';
import { reportAad } from './sealed-report.ts';

export interface TraceWorkerInit {
  readonly keys: TransferredKeys;
  /** The vault's database, a SQLite file given by its absolute path. */
  readonly database: DatabaseConfig;
  readonly file: string;
  readonly kind: UploadKind;
  readonly format?: LeakFormat;
  readonly epsilon?: number;
  readonly traceId: string;
  /** The report's creation time (the job's, on the vault's clock). */
  readonly createdAt: string;
}

/** What the worker tells its runner. */
export type TraceWorkerMessage =
  | { readonly type: 'progress'; readonly phase: string; readonly done: number; readonly total: number }
  | {
      readonly type: 'done';
      readonly sealed: Uint8Array;
      readonly rows: number;
      readonly linked: number;
      readonly accused: string | null;
    }
  | { readonly type: 'failed'; readonly code: ErrorCode; readonly details: ErrorDetails };

/** Progress is sent at most this often (ms), besides every change of phase. */
const PROGRESS_EVERY = 100;

const init = workerData as TraceWorkerInit;
const post = (m: TraceWorkerMessage, transfer?: ArrayBuffer[]) => parentPort!.postMessage(m, transfer);

/**
 * On Linux a nice value belongs to a thread, and setpriority(2) on "the process" 0 sets the calling
 * thread's alone (man 2 setpriority, BUGS): this thread then yields the cores to the requests of the
 * main thread whenever both want one, and takes what they leave. Elsewhere it would lower the whole
 * process, so it is left alone.
 */
function yieldToRequests(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(10);
  } catch {
    // not permitted here: the trace runs at the process's priority
  }
}

async function main(): Promise<void> {
  yieldToRequests();
  // A copy of the key-encryption key stays here, for data keys added while the trace runs (a
  // rotation); tenantKeysOf zeroes the one received. Zeroed when the trace ends.
  const kek = { key: Buffer.from(init.keys.kek.key), id: init.keys.kek.id };
  const keys = tenantKeysOf(init.keys);
  const db = await openDb(init.database);
  try {
    const tenantId = init.keys.tenantId;
    const registry = new Registry(db, keys, {
      tenantId,
      audit: tableAuditSink,
      reloadKeys: async () => {
        for (const w of await loadDataKeys(db, tenantId))
          if (w.purpose === 'data' && !keys.hasVersion(w.version)) keys.addDataKey(kek, w);
      },
    });
    const service = new ServiceKeys(keys);
    let phase = '',
      sentAt = 0;
    const progress = (stage: string, done: number, total: number, force = false) => {
      const now = performance.now();
      if (!force && stage === phase && now - sentAt < PROGRESS_EVERY) return;
      phase = stage;
      sentAt = now;
      post({ type: 'progress', phase: stage, done, total });
    };
    progress('read', 0, 0);
    const { table, epsilon } = await readLeakUpload(init.file, init.kind, {
      format: init.format,
      onRows: (n) => progress('read', n, 0),
    });
    progress('read', table.rows.length, table.rows.length, true);
    const report = await runTrace(
      { registry, canaryKeys: service.canary, code: service.code, now: () => new Date(init.createdAt) },
      table,
      { id: init.traceId, epsilon: init.epsilon ?? epsilon, worker: false, onProgress: progress },
    );
    progress('seal', 0, 0);
    const sealed = seal(service.trace, Buffer.from(JSON.stringify(report), 'utf8'), reportAad(report.id));
    // Moved, not copied: a large leak's report (every affected record's id) can be tens of megabytes.
    const moved = new Uint8Array(sealed.byteLength);
    moved.set(sealed);
    post(
      {
        type: 'done',
        sealed: moved,
        rows: report.rows.total,
        linked: report.rows.linked,
        accused: report.accused?.principalId ?? null,
      },
      [moved.buffer],
    );
  } finally {
    kek.key.fill(0);
    await db.close();
  }
}

main().catch((e: unknown) => {
  const known = e instanceof TracevaultError;
  post({ type: 'failed', code: known ? e.code : 'ERR_INTERNAL', details: known ? e.details : {} });
});
