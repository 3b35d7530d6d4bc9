/**
 * The child process of one trace job (trace-jobs.ts starts it with `fork`): reads the uploaded leak
 * (trace/leak-upload.ts), traces it on a connection of its own to the vault's database
 * (trace/trace.ts, linking on its main thread), and seals the report. A process rather than a worker
 * thread so that its heap, and the collection of it, is its own: a worker's GB-sized heap is
 * collected by the V8 helper threads the server's own isolate shares, and stalled the server's
 * event loop by up to ~100 ms (docs/adr/0015). Its heap is capped by the runner
 * (--max-old-space-size); whatever it holds goes when it exits.
 *
 * Nothing it needs comes through argv or the environment: the keys and the job arrive as the first
 * message over the IPC channel. What crosses back: progress (a phase name and counts), the sealed
 * report with the few counts its ledger entry names, or an error's code and safe details — never a
 * value of the leak. It exits once it has answered, and at once when its runner goes (the channel
 * closes: a server that was killed leaves no trace process behind).
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { TracevaultError, type ErrorCode, type ErrorDetails } from '../errors.ts';
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

export interface TraceChildInit {
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

/** What the child tells its runner. */
export type TraceChildMessage =
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

/** Sends a message; resolves once it is written to the channel (or the channel is gone). */
const post = (m: TraceChildMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });

/**
 * The whole process yields the cores to the server's requests whenever both want one, and takes what
 * they leave. On Linux a nice value belongs to a thread, and setpriority(2) on "the process" sets the
 * calling thread's alone (man 2 setpriority, BUGS): every thread this process has now — V8's
 * collector helpers and the loader's among them — is lowered by its id (/proc/self/task), and the
 * threads started later inherit the main thread's. Elsewhere the call lowers the whole process.
 */
function yieldToRequests(): void {
  try {
    if (process.platform !== 'linux') return setPriority(NICE);
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), NICE);
  } catch {
    // not permitted here: the trace runs at the server's priority
  }
}

const NICE = 10;

async function main(init: TraceChildInit): Promise<void> {
  // A copy of the key-encryption key stays here, for data keys added while the trace runs (a
  // rotation); tenantKeysOf zeroes the one received. Zeroed when the trace ends.
  const kek = { key: Buffer.from(init.keys.kek.key), id: init.keys.kek.id, suite: init.keys.kek.suite };
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
      void post({ type: 'progress', phase: stage, done, total });
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
    const sealed = service.suite.sealJson(service.trace, report, reportAad(report.id));
    await post({
      type: 'done',
      sealed,
      rows: report.rows.total,
      linked: report.rows.linked,
      accused: report.accused?.principalId ?? null,
    });
  } finally {
    kek.key.fill(0);
    await db.close();
  }
}

// The runner gone (its channel closed: it exited, was killed, or stopped this job): so does this.
process.once('disconnect', () => process.exit(0));
// Ctrl-C at a terminal reaches the whole process group: the server decides how its jobs end
// (closing, it stops them as interrupted), so this one waits for that rather than dying first.
process.on('SIGINT', () => undefined);
process.once('message', (init: TraceChildInit) => {
  yieldToRequests();
  main(init)
    .catch(async (e: unknown) => {
      const known = e instanceof TracevaultError;
      await post({ type: 'failed', code: known ? e.code : 'ERR_INTERNAL', details: known ? e.details : {} });
    })
    .finally(() => process.exit(0));
});
