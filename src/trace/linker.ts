/**
 * Opening candidate histories and linking rows to them, on another thread for a large leak. The
 * main thread blocks and reads the sealed rows (SQL); the linker opens them (open-record.ts), keeps
 * them, and links each row to its candidates (linkage.ts), so a leak's next rows are blocked and
 * read while its last ones are decrypted and compared: on two cores the two halves overlap. Rows
 * and candidates go in, links come out; the decrypted histories stay with the linker.
 */
import { Worker } from 'node:worker_threads';
import { workerBoot, WorkerRequests } from '../worker-thread.ts';
import { TenantKeys, type TransferredKeys } from '../crypto/keyring.ts';
import { openHistory, type RecordSnapshot } from '../store/open-record.ts';
import { indexForm } from '../store/seal-record.ts';
import { linkRow, type CandidateRecord, type Link, type TermFrequencies } from './linkage.ts';
import type { LeakRow } from './leak-row.ts';

/** What term frequencies are computed from (trace.ts counts them in the registry). */
export interface FrequencyCounts {
  /** Live records of the tenant. */
  readonly total: number;
  readonly hospitals: number;
  /** Records holding each name, by its index form. */
  readonly names: ReadonlyMap<string, number>;
}

export function frequencies(c: FrequencyCounts): TermFrequencies {
  return {
    hospitals: Math.max(1, c.hospitals),
    // Add-one smoothing: a name seen in the leak but not in the registry still has a frequency; a
    // registry name the leak does not show was not counted (a comparison needs no HMAC): the floor.
    name: (n) => (c.total > 0 ? ((c.names.get(indexForm('name', n)) ?? 0) + 1) / (c.total + 1) : undefined),
  };
}

export interface LinkJob {
  /** Candidates not sent before, sealed. */
  readonly records: readonly RecordSnapshot[];
  /** Candidates opened by the caller (sealed under a data key the linker was not given). */
  readonly opened?: readonly CandidateRecord[];
  /** Rows (what linkage compares of them) with the sequence numbers of their candidates. */
  readonly rows: readonly {
    readonly i: number;
    readonly row: Pick<LeakRow, 'obs' | 'empty'>;
    readonly candidates: readonly number[];
  }[];
}

export interface LinkedRow {
  readonly i: number;
  readonly link: Link;
  readonly orgId: string | null;
  readonly createdAt: string;
}

export function candidateOf(r: {
  seq: number;
  id: string;
  orgId: string | null;
  createdAt: string;
  history?: readonly {
    field: string;
    version: number;
    value: unknown;
    validFrom: string;
    validTo: string | null;
    recordedAt: string;
  }[];
}): CandidateRecord {
  return {
    seq: r.seq,
    id: r.id,
    orgId: r.orgId,
    createdAt: r.createdAt,
    versions: (r.history ?? []) as CandidateRecord['versions'],
  };
}

/** The linker's state: the keys, the fields compared, the frequencies, and every candidate opened so far. */
export class LinkState {
  readonly #keys: TenantKeys;
  readonly #fields: ReadonlySet<string>;
  readonly #tf: TermFrequencies;
  readonly #cache = new Map<number, CandidateRecord>();

  constructor(keys: TenantKeys, fields: ReadonlySet<string>, counts: FrequencyCounts) {
    this.#keys = keys;
    this.#fields = fields;
    this.#tf = frequencies(counts);
  }

  run(job: LinkJob): LinkedRow[] {
    for (const [head, rows] of job.records)
      this.#cache.set(Number(head.seq), candidateOf(openHistory(this.#keys, head.id, head, rows, true, this.#fields)));
    for (const c of job.opened ?? []) this.#cache.set(c.seq, c);
    const out: LinkedRow[] = [];
    for (const { i, row, candidates } of job.rows) {
      const recs: CandidateRecord[] = [];
      for (const s of candidates) {
        const c = this.#cache.get(s);
        if (c) recs.push(c);
      }
      const link = linkRow(row, recs, this.#tf);
      if (link) {
        const rec = this.#cache.get(link.seq)!;
        out.push({ i, link, orgId: rec.orgId, createdAt: rec.createdAt });
      }
    }
    return out;
  }
}

export interface Linker {
  /** The data-key versions it can open; candidates under another are opened by the caller (LinkJob.opened). */
  readonly keyVersions: ReadonlySet<number>;
  link(job: LinkJob): Promise<LinkedRow[]>;
  close(): Promise<void>;
}

/** Links on the calling thread (a small leak: a thread's start-up would cost more than it saves). */
export class LocalLinker implements Linker {
  readonly #state: LinkState;
  readonly #keys: TenantKeys;

  constructor(keys: TenantKeys, fields: ReadonlySet<string>, counts: FrequencyCounts) {
    this.#keys = keys;
    this.#state = new LinkState(keys, fields, counts);
  }

  get keyVersions(): ReadonlySet<number> {
    // The registry's own keys, reloaded when it meets a new version: any version it has.
    return { has: (v: number) => this.#keys.hasVersion(v) } as ReadonlySet<number>;
  }

  async link(job: LinkJob): Promise<LinkedRow[]> {
    return this.#state.run(job);
  }

  async close(): Promise<void> {}
}

export interface LinkWorkerInit extends TransferredKeys {
  readonly fields: readonly string[];
  readonly counts: FrequencyCounts;
}

const BOOT = workerBoot(import.meta.url, 'link-worker');

/** Links on a worker thread; jobs are answered in the order they were sent. */
export class WorkerLinker implements Linker {
  readonly keyVersions: ReadonlySet<number>;
  readonly #requests: WorkerRequests<{ linked: LinkedRow[] }, LinkedRow[]>;

  constructor(init: LinkWorkerInit) {
    this.keyVersions = new Set(
      init.wrapped.filter((w) => w.purpose === 'data' && w.tenantId === init.tenantId).map((w) => w.version),
    );
    // A worker that fails to start or dies fails every job in flight, and the trace with them.
    this.#requests = new WorkerRequests(
      new Worker(BOOT, { eval: true, workerData: init }),
      (m: { linked: LinkedRow[] }) => m.linked,
    );
  }

  /** Sends a job; its sealed buffers are moved out of it (packBuffers). */
  link(job: LinkJob): Promise<LinkedRow[]> {
    const packed = packBuffers(job.records);
    return this.#requests.request({ job, packed }, [
      packed.bytes.buffer as ArrayBuffer,
      packed.lengths.buffer as ArrayBuffer,
    ]);
  }

  close(): Promise<void> {
    return this.#requests.close();
  }
}

export interface PackedBuffers {
  readonly bytes: Uint8Array;
  readonly lengths: Uint32Array;
}

/**
 * Moves the wrapped keys and sealed changes of some snapshots into one transferable buffer, in
 * order, leaving empty buffers in their place: structured clone copies every buffer on its own
 * (~3 µs each, seconds for a large leak's hundreds of thousands). unpackBuffers puts them back.
 */
export function packBuffers(records: readonly RecordSnapshot[]): PackedBuffers {
  let size = 0,
    count = 0;
  for (const [head, rows] of records) {
    size += head.wrapped.length;
    count += 1 + rows.length;
    for (const r of rows) size += r.sealed.length;
  }
  const bytes = new Uint8Array(size),
    lengths = new Uint32Array(count);
  let p = 0,
    n = 0;
  const put = (b: Buffer) => {
    bytes.set(b, p);
    p += lengths[n++] = b.length;
    return EMPTY;
  };
  for (const [head, rows] of records) {
    head.wrapped = put(head.wrapped);
    for (const r of rows) r.sealed = put(r.sealed);
  }
  return { bytes, lengths };
}

export function unpackBuffers(records: readonly RecordSnapshot[], { bytes, lengths }: PackedBuffers): void {
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0,
    n = 0;
  const take = () => all.subarray(p, (p += lengths[n++]!));
  for (const [head, rows] of records) {
    head.wrapped = take();
    for (const r of rows) r.sealed = take();
  }
}

const EMPTY = Buffer.alloc(0);
