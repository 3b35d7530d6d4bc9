/**
 * Linking a trace's leaked rows to registry records: blocked a chunk at a time (blocking.ts), the
 * candidates read and handed to a linker (linker.ts) on this thread or, for a large leak, on a
 * worker thread, which opens and compares them while the next chunk is blocked.
 */
import type { Registry } from '../store/registry.ts';
import { loadDataKeys } from '../store/vault.ts';
import type { RecordSnapshot } from '../store/open-record.ts';
import type { Kek } from '../crypto/key-file.ts';
import type { LeakRow } from './leak-row.ts';
import type { CandidateRecord, Link } from './linkage.ts';
import { candidateOf, LocalLinker, WorkerLinker, type FrequencyCounts, type Linker } from './linker.ts';
import { block, type Blocking } from './blocking.ts';
import { chunks } from './paging.ts';

/** Rows a linkage job holds, and how many jobs may wait for the linker. */
const LINK_CHUNK = 10_000;
const LINK_AHEAD = 2;
/** From this many rows a trace links on a worker thread (its start-up, ~0.5 s, is then well spent). */
const WORKER_ROWS = 20_000;

/** The organisation and creation time of a linked record (the strata and the window need them). */
export interface HeldRecord {
  readonly orgId: string | null;
  readonly createdAt: string;
}

export interface LinkRowsOptions {
  /** The key-encryption key, for a worker thread; without it, all on this thread. */
  readonly kek?: Kek;
  /** On a worker thread (true) or on this one (false); by default from WORKER_ROWS rows, given the kek. */
  readonly worker?: boolean;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** A linker on a worker thread for a large leak when the key-encryption key is at hand, else on this thread. */
async function startLinker(
  reg: Registry,
  kek: Kek | undefined,
  fields: ReadonlySet<string>,
  counts: FrequencyCounts,
  rows: number,
  worker = rows >= WORKER_ROWS,
): Promise<Linker> {
  if (!kek || !worker) return new LocalLinker(reg.keys, fields, counts);
  return new WorkerLinker({
    kek,
    tenantId: reg.tenantId,
    wrapped: await loadDataKeys(reg.db, reg.tenantId),
    fields: [...fields],
    counts,
  });
}

/**
 * Each row's link (by row index; undefined for a row left unlinked or skipped), and the linked records held.
 * Precise blocks first, broad ones for the rows still unlinked; the rows in `skip` (canaries) are not linked.
 */
export async function linkRows(
  reg: Registry,
  rows: readonly LeakRow[],
  skip: ReadonlySet<number>,
  compared: ReadonlySet<string>,
  counts: FrequencyCounts,
  opts: LinkRowsOptions,
): Promise<{ links: (Link | undefined)[]; held: Map<number, HeldRecord> }> {
  const links = new Array<Link | undefined>(rows.length);
  const held = new Map<number, HeldRecord>();
  const linker = await startLinker(reg, opts.kek, compared, counts, rows.length, opts.worker);
  try {
    const sent = new Set<number>();
    const blocking: Blocking = { known: new Map(), tally: new Uint8Array(1 << 16) };
    const candidates = new Map<number, Set<number>>();
    let pending = rows.map((_, i) => i).filter((i) => !skip.has(i));
    for (const tier of ['precise', 'broad'] as const) {
      // A chunk's rows are blocked and their new candidates read while the linker opens and links
      // the chunks before (linker.ts); at most LINK_AHEAD chunks wait for it.
      const inFlight: Promise<void>[] = [];
      let done = 0;
      for (const chunk of chunks(pending, LINK_CHUNK)) {
        const found = await block(reg, rows, chunk, tier, blocking);
        const fresh: number[] = [];
        for (const [i, seqs] of found) {
          for (const s of seqs) {
            (candidates.get(i) ?? candidates.set(i, new Set()).get(i)!).add(s);
            if (sent.has(s)) continue;
            sent.add(s);
            fresh.push(s);
          }
        }
        const records: RecordSnapshot[] = [],
          opened: CandidateRecord[] = [];
        for (const page of chunks(fresh, 5000)) {
          for (const snap of await reg.snapshots(page, reg.db, compared)) {
            // Sealed under a data key newer than the linker's: opened here (the registry reloads its keys).
            if (linker.keyVersions.has(Number(snap[0].dek_version))) records.push(snap);
            else opened.push(candidateOf(await reg.openSnapshot(snap, compared)));
          }
        }
        const job = linker
          .link({
            records,
            opened,
            rows: chunk.map((i) => ({
              i,
              row: { obs: rows[i]!.obs, empty: rows[i]!.empty },
              candidates: [...(candidates.get(i) ?? [])],
            })),
          })
          .then((linked) => {
            for (const l of linked) {
              links[l.i] = l.link;
              held.set(l.link.seq, { orgId: l.orgId, createdAt: l.createdAt });
            }
            opts.onProgress?.('link', (done += chunk.length), pending.length);
          });
        job.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
        inFlight.push(job);
        if (inFlight.length > LINK_AHEAD) await inFlight.shift();
      }
      await Promise.all(inFlight);
      pending = pending.filter((i) => !links[i]);
    }
  } finally {
    await linker.close();
  }
  return { links, held };
}
