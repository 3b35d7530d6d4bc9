/**
 * Trace jobs: a leak uploaded for a trace is stored as it arrives (an owner-only file in the vault's
 * directory, bounded) and traced off the request path, in a child process of its own with a capped
 * heap (trace-child.ts), at most `concurrency` at a time. The job's row (store/repos/traces.ts)
 * says where it stands — a phase and counts, never a value — and its heartbeat says its process is
 * alive; a job whose process stopped (a crash, a restart) is failed by the next process that looks
 * (ERR_JOB_INTERRUPTED), so none stays "running" for ever. A job's end commits with its ledger entry:
 * the report sealed in `traces` (as `Traces.run` writes it) and a `trace` entry, or the error's
 * code in the job's row and an entry with outcome `error`. The upload is removed when the job ends.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { TracevaultError, type ErrorCode, type ErrorDetails } from '../errors.ts';
import { newId } from '../crypto/ids.ts';
import type { AuditEvent } from '../store/audit.ts';
import type { DatabaseConfig } from '../store/db.ts';
import { TraceJobRepo, TraceRepo, type JobProgress, type TraceJobRow } from '../store/repos/traces.ts';
import { FILES, loadDataKeys, type Vault } from '../store/vault.ts';
import { saveUpload } from '../ingest/upload-file.ts';
import type { LeakFormat } from '../trace/leak-table.ts';
import type { UploadKind } from '../trace/leak-upload.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import type { TraceChildInit, TraceChildMessage } from './trace-child.ts';

export interface TraceJobOptions {
  /** Jobs traced at once by this process (default 1: a trace takes a core). */
  readonly concurrency?: number;
  /** Jobs running, waiting or arriving at once, beyond which another is refused (429; default 8). */
  readonly maxJobs?: number;
  /** Largest upload in bytes (default 64 MiB). */
  readonly uploadLimit?: number;
  /**
   * Heap of a job's child process in MiB (its --max-old-space-size); beyond it the job fails, not the
   * server. By default the server's own heap limit (Node's default, or --max-old-space-size): a trace
   * that fitted in the server before jobs fits in its job.
   */
  readonly heapMb?: number;
  /** Longest a job may run (default 30 minutes). */
  readonly timeoutMs?: number;
  /** How often a running job's row is told it is alive (default 5 s), and after how long without it
   *  another process takes it for dead (default 30 s). */
  readonly heartbeatMs?: number;
  readonly staleMs?: number;
  /** How often a job's progress is written to its row at most (default 1 s). */
  readonly progressMs?: number;
}

/** How an upload is to be read (trace/leak-upload.ts), and the ε asked for. */
export interface UploadHow {
  readonly kind: UploadKind;
  readonly format?: LeakFormat;
  readonly epsilon?: number;
  /** The upload's size as its sender declared it (Content-Length), refused at once beyond the limit. */
  readonly declaredBytes?: number;
}

interface Job {
  readonly id: string;
  readonly ctx: RequestContext;
  readonly file: string;
  readonly how: UploadHow;
  readonly createdAt: string;
  progress: JobProgress;
  savedAt: number;
  child?: ChildProcess;
  ended: boolean;
}

/** The child's entry next to this module: from the TypeScript sources it is run through tsx. */
const CHILD = fileURLToPath(new URL(`./trace-child${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const LOADER = CHILD.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];

/**
 * A job's process. Its arguments name no job, key or value (those come over the IPC channel, with
 * V8's serialisation for the report's bytes); its stdout is dropped and its stderr kept only to
 * tell running out of heap from other deaths (a fatal error's fixed text; passed on with
 * TRACEVAULT_DEBUG=1, as it might quote a value).
 */
function forkTrace(heapMb: number): { child: ChildProcess; outOfMemory: () => boolean } {
  const child = fork(CHILD, [], {
    execArgv: [...LOADER, `--max-old-space-size=${heapMb}`],
    // The server's environment (PG* settings, TZ...) but not a command-line token it was given.
    env: { ...process.env, TRACEVAULT_TOKEN: undefined },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let tail = '',
    oom = false;
  const debug = process.env.TRACEVAULT_DEBUG === '1';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    tail = tail.slice(-64) + s; // a phrase split between two chunks is still found
    oom ||= /heap out of memory|Reached heap limit/.test(tail);
    tail = tail.slice(-64);
    if (debug) process.stderr.write(s);
  });
  return { child, outOfMemory: () => oom };
}

/** Stops a job's process if it still runs. */
function stop(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export class TraceJobs {
  /** This process, as the owner of the jobs it runs. */
  readonly owner = newId('w');
  readonly #gate: Gate;
  readonly #jobs: TraceJobRepo;
  readonly #reports: TraceRepo;
  readonly #o: Required<TraceJobOptions>;
  readonly #queue: Job[] = [];
  readonly #running = new Map<string, Job>();
  readonly #waiters = new Map<string, (() => void)[]>();
  #arriving = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #recovered: Promise<void> | undefined;
  #closed = false;

  constructor(gate: Gate, opts: TraceJobOptions = {}) {
    this.#gate = gate;
    this.#jobs = new TraceJobRepo(gate.vault.db, gate.vault.tenantId);
    this.#reports = new TraceRepo(gate.vault.db, gate.vault.tenantId);
    this.#o = {
      concurrency: 1,
      maxJobs: 8,
      uploadLimit: 64 * 1024 * 1024,
      heapMb: Math.max(1024, Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)),
      timeoutMs: 30 * 60_000,
      heartbeatMs: 5000,
      staleMs: 30_000,
      progressMs: 1000,
      ...opts,
    };
  }

  get uploadLimit(): number {
    return this.#o.uploadLimit;
  }

  /** Where uploads wait for their jobs: owner-only, in the vault's directory (so the next process finds them). */
  get dir(): string {
    return join(this.#gate.vault.dir, 'trace-jobs');
  }

  /** Stores an upload and queues its job; the caller is authorised already. */
  async submit(ctx: RequestContext, body: AsyncIterable<Uint8Array>, how: UploadHow): Promise<TraceJobRow> {
    await this.recover();
    if (this.#closed) throw new TracevaultError('ERR_JOB_INTERRUPTED');
    const limit = this.#o.uploadLimit;
    if ((how.declaredBytes ?? 0) > limit) throw new TracevaultError('ERR_PAYLOAD_TOO_LARGE', { limit });
    if (this.#queue.length + this.#running.size + this.#arriving >= this.#o.maxJobs)
      throw new TracevaultError('ERR_RATE_LIMITED', { limit: this.#o.maxJobs });
    const id = newId('t');
    const file = join(this.dir, `${id}.leak`);
    let row: TraceJobRow;
    this.#arriving++;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      await saveUpload(body, file, limit);
      const job: Job = {
        id,
        ctx,
        file,
        how,
        createdAt: this.#gate.now().toISOString(),
        progress: { phase: 'queued', rowsRead: 0, phaseDone: 0, phaseTotal: 0 },
        savedAt: 0,
        ended: false,
      };
      await this.#jobs.insert({
        id,
        at: job.createdAt,
        by: ctx.principal.id,
        owner: this.owner,
        heartbeat: new Date().toISOString(),
      });
      row = (await this.#jobs.get(id))!;
      this.#queue.push(job);
    } catch (e) {
      rmSync(file, { force: true });
      throw e;
    } finally {
      this.#arriving--;
    }
    this.#pump();
    return row;
  }

  /** A job's row; one whose process has fallen silent is failed first (ERR_JOB_INTERRUPTED). */
  async status(id: string): Promise<TraceJobRow | undefined> {
    await this.recover();
    const row = await this.#jobs.get(id);
    if (!row || row.status === 'done' || row.status === 'failed' || this.#mine(id)) return row;
    for (const silent of await this.#jobs.silent(this.#staleBefore(), id)) await this.#interrupted(silent);
    return this.#jobs.get(id);
  }

  /** Resolves when this process's job `id` has ended, or after `ms` (at once for a job not running here). */
  wait(id: string, ms: number): Promise<void> {
    if (!this.#mine(id) || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const list = this.#waiters.get(id) ?? this.#waiters.set(id, []).get(id)!;
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Fails the open jobs whose process has fallen silent, and removes uploads no job waits for. Once
   * per process, before its first job; `status` looks again at the job it is asked about.
   */
  recover(): Promise<void> {
    this.#recovered ??= this.#sweep().catch((e: unknown) => {
      this.#recovered = undefined; // tried again by the next call
      throw e;
    });
    return this.#recovered;
  }

  async #sweep(): Promise<void> {
    for (const row of await this.#jobs.silent(this.#staleBefore()))
      if (!this.#mine(row.id)) await this.#interrupted(row);
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const open = await this.#jobs.openIds();
    const old = Date.now() - this.#o.staleMs;
    for (const name of names) {
      const path = join(this.dir, name);
      const id = name.replace(/\.leak$/, '');
      if (this.#mine(id) || open.has(id)) continue;
      try {
        if (statSync(path).mtimeMs < old) rmSync(path, { force: true });
      } catch {
        // gone meanwhile
      }
    }
  }

  /** Stops: the jobs of this process end as interrupted (their uploads removed), as after a restart. */
  async close(): Promise<void> {
    this.#closed = true;
    const jobs = [...this.#queue.splice(0), ...this.#running.values()];
    await Promise.all(jobs.map((j) => this.#end(j, 'ERR_JOB_INTERRUPTED', {})));
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #mine(id: string): boolean {
    return this.#running.has(id) || this.#queue.some((j) => j.id === id);
  }

  #staleBefore(): string {
    return new Date(Date.now() - this.#o.staleMs).toISOString();
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.#o.concurrency && this.#queue.length > 0)
      void this.#start(this.#queue.shift()!);
  }

  async #start(job: Job): Promise<void> {
    this.#running.set(job.id, job);
    this.#heartbeat ??= setInterval(() => void this.#beat(), this.#o.heartbeatMs).unref();
    let key: Buffer | undefined;
    try {
      const vault = this.#gate.vault;
      key = Buffer.from(vault.kek.key);
      const init: TraceChildInit = {
        keys: {
          kek: { key, id: vault.kek.id, suite: vault.kek.suite },
          tenantId: vault.tenantId,
          wrapped: await loadDataKeys(vault.db, vault.tenantId),
        },
        database: databaseOf(vault),
        file: job.file,
        kind: job.how.kind,
        format: job.how.format,
        epsilon: job.how.epsilon,
        traceId: job.id,
        createdAt: job.createdAt,
      };
      if (job.ended) return;
      this.#progress(job, { phase: 'read', rowsRead: 0, phaseDone: 0, phaseTotal: 0 });
      const { child, outOfMemory } = forkTrace(this.#o.heapMb);
      job.child = child;
      const timeout = setTimeout(
        () => void this.#end(job, 'ERR_INTERNAL', { rule: 'timeout', limit: this.#o.timeoutMs }),
        this.#o.timeoutMs,
      ).unref();
      child.on('message', (m: TraceChildMessage) => {
        if (m.type === 'progress') this.#onProgress(job, m.phase, m.done, m.total);
        else if (m.type === 'done') void this.#complete(job, m);
        else void this.#end(job, m.code, m.details, false); // it exits by itself once it has answered
      });
      child.on('error', () => void this.#end(job, 'ERR_INTERNAL', { rule: 'worker' }));
      // 'close', not 'exit': its stderr is read to the end, which tells running out of heap.
      child.on('close', () => {
        clearTimeout(timeout);
        // Out of memory is the leak's size against the job's heap: the job fails, the server stays.
        if (outOfMemory()) void this.#end(job, 'ERR_FILE_TOO_LARGE', { rule: 'memory', limit: this.#o.heapMb });
        else void this.#end(job, 'ERR_INTERNAL', { rule: 'worker' });
      });
      // The keys over the IPC channel, never argv or the environment: serialised as they are sent.
      // Not sent: it died at its start (its 'close' tells how), or it is stopped.
      child.send(init, (e) => e && stop(child));
    } catch (e) {
      await this.#end(job, e instanceof TracevaultError ? e.code : 'ERR_INTERNAL', {});
    } finally {
      key?.fill(0); // the child has its copy
    }
  }

  #onProgress(job: Job, phase: string, done: number, total: number): void {
    const p = job.progress;
    this.#progress(job, {
      phase,
      rowsRead: phase === 'read' ? done : p.rowsRead,
      phaseDone: done,
      phaseTotal: total,
    });
  }

  /** Keeps a job's progress, and writes it to its row when its phase changed or `progressMs` has passed. */
  #progress(job: Job, p: JobProgress): void {
    const changed = p.phase !== job.progress.phase || job.savedAt === 0;
    job.progress = p;
    const now = Date.now();
    if (job.ended || (!changed && now - job.savedAt < this.#o.progressMs)) return;
    job.savedAt = now;
    this.#jobs
      .progress(job.id, this.owner, { ...p, status: 'running' }, new Date(now).toISOString())
      .catch(() => undefined); // progress is advisory; the job's end is what must commit
  }

  async #beat(): Promise<void> {
    if (this.#running.size === 0 && this.#queue.length === 0) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
      return;
    }
    const ids = [...this.#running.keys(), ...this.#queue.map((j) => j.id)];
    await this.#jobs.heartbeat(ids, new Date().toISOString()).catch(() => undefined);
  }

  /** The report and its `trace` entry, in one transaction with the job's end. */
  async #complete(job: Job, m: Extract<TraceChildMessage, { type: 'done' }>): Promise<void> {
    if (job.ended) return;
    job.ended = true;
    try {
      await this.#gate.commit(async (tx, events) => {
        const at = this.#gate.now().toISOString();
        if (!(await this.#jobs.finish(tx, job.id, { status: 'done', at, rowsRead: m.rows }))) return;
        await this.#reports.insert(tx, {
          id: job.id,
          at: job.createdAt,
          by: job.ctx.principal.id,
          rows: m.rows,
          accused: m.accused,
          sealed: Buffer.from(m.sealed.buffer, m.sealed.byteOffset, m.sealed.byteLength),
        });
        events.push(traceEntry(job.ctx, { id: job.id, rows: m.rows, linked: m.linked, accused: m.accused }));
      });
    } catch (e) {
      job.ended = false;
      await this.#end(job, e instanceof TracevaultError ? e.code : 'ERR_INTERNAL', {});
      return;
    }
    this.#release(job);
  }

  /** A job ends in failure: its code in its row and an `error` entry, its process stopped, its upload removed. */
  async #end(job: Job, code: ErrorCode, details: ErrorDetails, kill = true): Promise<void> {
    if (job.ended) return;
    job.ended = true;
    if (kill) stop(job.child);
    const i = this.#queue.indexOf(job);
    if (i >= 0) this.#queue.splice(i, 1);
    await this.#fail(job.id, code, details, entryOf(job.ctx)).catch(() => undefined);
    this.#release(job);
  }

  async #interrupted(row: TraceJobRow): Promise<void> {
    await this.#fail(row.id, 'ERR_JOB_INTERRUPTED', {}, { principalId: row.createdBy, requestId: 'recovery' });
    rmSync(join(this.dir, `${row.id}.leak`), { force: true });
  }

  async #fail(id: string, code: ErrorCode, details: ErrorDetails, who: Partial<AuditEvent> & { principalId: string }) {
    await this.#gate.commit(async (tx, events) => {
      const at = this.#gate.now().toISOString();
      const json = Object.keys(details).length > 0 ? JSON.stringify(details) : undefined;
      if (!(await this.#jobs.finish(tx, id, { status: 'failed', at, code, details: json }))) return;
      events.push({ ...who, action: 'trace', outcome: 'error', detail: { trace: id, code } });
    });
  }

  #release(job: Job): void {
    rmSync(job.file, { force: true });
    this.#running.delete(job.id);
    const child = job.child;
    // A process that has answered exits by itself; one that does not is stopped.
    if (child) setTimeout(() => stop(child), 5000).unref();
    for (const wake of this.#waiters.get(job.id) ?? []) wake();
    this.#waiters.delete(job.id);
    this.#pump();
  }
}

/** The ledger entry of a finished trace, as `Traces.run` and a job write it. */
export function traceEntry(
  ctx: RequestContext,
  r: { id: string; rows: number; linked: number; accused: string | null },
  keyHolder = false,
): AuditEvent {
  return {
    ...entryOf(ctx),
    action: 'trace',
    outcome: 'ok',
    detail: { trace: r.id, rows: r.rows, linked: r.linked, accused: r.accused ?? 'none', keyHolder },
  };
}

/** The vault's database as a job's process opens it: a SQLite file by its absolute path. */
function databaseOf(vault: Vault): DatabaseConfig {
  const d = vault.config.database;
  return d.kind === 'sqlite' ? { kind: 'sqlite', file: resolve(vault.dir, d.file ?? FILES.sqlite) } : d;
}
