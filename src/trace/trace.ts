/**
 * A trace, end to end: a leaked table in, a report out. The I/O around the pure steps — blocking
 * through the blind index, loading candidate histories, term frequencies, the disclosures that
 * gave the linked records, canaries and fingerprint marks, strata sizes and later records for the
 * time window. Linkage, evidence, window and report are pure (their own modules).
 */
import { TracevaultError } from '../errors.ts';
import { newId } from '../crypto/ids.ts';
import type { Registry } from '../store/registry.ts';
import { indexForm } from '../store/seal-record.ts';
import { blockKeys } from '../schema/blocking.ts';
import { findCanaries, type CanaryKeys } from '../disclose/canary.ts';
import {
  DISCLOSURE_KEY_LABEL,
  contradictedRows,
  observe as observeMarks,
  PRINCIPAL_SCHEME,
  REVEAL_KEY_LABEL,
  scoreOwnPositions,
  SCHEME,
  type MarkedSource,
} from '../disclose/marks.ts';
import { virtualKey } from '../disclose/fingerprint.ts';
import type { TardosCode } from '../disclose/tardos.ts';
import { BIRTH, PUBLIC_FIELDS } from '../schema/record-type.ts';
import { rowMaterial, type LeakRow } from './leak-row.ts';
import type { LeakTable } from './leak-file.ts';
import {
  DEFAULT_MARGIN,
  DEFAULT_THRESHOLD,
  WHOLE_VALUE_WEIGHT,
  closestOf,
  fieldsCompared,
  wholeValues,
  type CandidateRecord,
  type Link,
} from './linkage.ts';
import { candidateOf, LocalLinker, WorkerLinker, type FrequencyCounts, type Linker } from './linker.ts';
import { loadDataKeys } from '../store/vault.ts';
import type { RecordSnapshot } from '../store/open-record.ts';
import { bytesParam } from '../store/dialect/sql.ts';
import type { Kek } from '../crypto/key-file.ts';
import {
  attribute,
  explainMixture,
  fragileRows,
  prepare,
  receivedBy,
  rowsOfLead,
  stratumOf,
  type DisclosureSummary,
  type RowEvidence,
  type SourceInput,
} from './evidence.ts';
import { estimateWindow, linkInterval } from './window.ts';
import { notices, type TraceReport } from './report.ts';
import { backfillBlocks } from './backfill.ts';

export interface TraceDeps {
  readonly registry: Registry;
  readonly canaryKeys: CanaryKeys;
  readonly code: TardosCode;
  readonly now: () => Date;
  /** The key-encryption key, for a large trace's worker thread (linker.ts); without it, all on this thread. */
  readonly kek?: Kek;
}

export interface TraceOptions {
  readonly epsilon?: number;
  /**
   * Link on a worker thread (true) or on this one (false); by default from WORKER_ROWS rows, given the
   * key-encryption key.
   */
  readonly worker?: boolean;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export const DEFAULT_EPSILON = 1e-6;
const MAX_BLOCK = 2000;
/** Rows a linkage job holds, and how many jobs may wait for the linker. */
const LINK_CHUNK = 10_000;
const LINK_AHEAD = 2;
/** From this many rows a trace links on a worker thread (its start-up, ~0.5 s, is then well spent). */
const WORKER_ROWS = 20_000;

/** A linker on a worker thread for a large leak when the key-encryption key is at hand, else on this thread. */
async function startLinker(
  deps: TraceDeps,
  fields: ReadonlySet<string>,
  counts: FrequencyCounts,
  rows: number,
  worker = rows >= WORKER_ROWS,
): Promise<Linker> {
  const reg = deps.registry;
  if (!deps.kek || !worker) return new LocalLinker(reg.keys, fields, counts);
  return new WorkerLinker({
    kek: deps.kek,
    tenantId: reg.tenantId,
    wrapped: await loadDataKeys(reg.db, reg.tenantId),
    fields: [...fields],
    counts,
  });
}

function chunks<T>(xs: readonly T[], n = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const qs = (n: number) => Array.from({ length: n }, () => '?').join(',');

/**
 * Candidate record seqs for some rows, through the blind index. Blocking is tiered (Christen,
 * "Data Matching", §4.6): the `precise` keys — full phones and ids, a phone's first 3 and last 4
 * digits, an id's first 6 and last 4 — find one or two records even in a registry of millions; the
 * `broad` ones (birth date with hospital or surname sound, fuzzy name with month) are asked only
 * for the rows the precise ones did not link (a stale phone, a masked or missing id).
 */
async function block(
  reg: Registry,
  rows: readonly LeakRow[],
  which: readonly number[],
  tier: 'precise' | 'broad',
  b: Blocking,
): Promise<Map<number, Set<number>>> {
  const known = b.known;
  // Each row's keys (a whole phone or id as `w` + scope + value), and the digests of those not yet
  // looked up: a trace blocks its rows a chunk at a time, and neighbouring rows share keys.
  const keysOf = new Map<number, string[]>();
  const wanted = new Map<string, Buffer>();
  for (const i of which) {
    const row = rows[i]!;
    const keys = blockKeys(rowMaterial(row), tier);
    for (const k of keys) if (!known.has(k) && !wanted.has(k)) wanted.set(k, reg.keys.blockIndex(k));
    if (tier === 'precise') {
      for (const { scope, value } of wholeValues(row)) {
        const v = scope === 'phone' ? indexForm('phone', value) : value;
        const k = `w${scope}:${v}`;
        keys.push(k);
        if (!known.has(k) && !wanted.has(k)) wanted.set(k, reg.keys.blindIndex(scope, v));
      }
    }
    keysOf.set(i, keys);
  }
  // Each digest stands for its place in the page (w.n), so a result row is two integers rather
  // than a digest to copy and look up again (1.6 million rows for a 200,000-row leak). CROSS JOIN
  // keeps w the outer loop in SQLite (sqlite.org/optoverview.html#crossjoin): as a plain join the
  // planner chose to scan the whole index against 500 values.
  const pending = [...wanted];
  for (let p = 0; p < pending.length; p += 500) {
    const page = pending.slice(p, p + 500);
    const param = bytesParam(reg.db.dialect);
    const values = page.map((_, n) => `(${n}, ${param})`).join(',');
    for (const h of await reg.db.all<{ n: number; record_seq: number }>(
      `WITH w (n, d) AS (VALUES ${values})
       SELECT w.n, b.record_seq FROM w CROSS JOIN blind_index b WHERE b.digest = w.d`,
      page.map(([, d]) => d),
    )) {
      const k = page[h.n]![0];
      const list = known.get(k) as number[] | undefined;
      if (list) list.push(Number(h.record_seq));
      else known.set(k, [Number(h.record_seq)]);
    }
  }
  for (const k of wanted.keys()) {
    const seqs = known.get(k);
    // An unselective key (a common surname on a busy day): other keys decide.
    if (!seqs || seqs.length > MAX_BLOCK) known.set(k, NONE);
  }
  // How many of a row's keys each candidate shares (linkage.closestCandidates), counted in a byte
  // array by record seq: with a Map per row, the dozens of strangers an id's partial key brings
  // made ~20 million map updates at 200,000 rows.
  const out = new Map<number, Set<number>>();
  for (const [i, keys] of keysOf) {
    const touched: number[] = [];
    for (const k of keys) {
      const weight = k.startsWith('w') ? WHOLE_VALUE_WEIGHT : 1;
      for (const s of known.get(k)!) {
        if (s >= b.tally.length) b.tally = grown(b.tally, s);
        if (b.tally[s] === 0) touched.push(s);
        b.tally[s] = Math.min(255, b.tally[s]! + weight);
      }
    }
    out.set(i, new Set(closestOf(touched, (s) => b.tally[s]!)));
    for (const s of touched) b.tally[s] = 0;
  }
  return out;
}

/**
 * What a trace's blocking keeps from chunk to chunk: each key's records, once looked up, and a zeroed tally by
 * record seq.
 */
interface Blocking {
  readonly known: Map<string, readonly number[]>;
  tally: Uint8Array;
}
const NONE: readonly number[] = Object.freeze([]);

function grown(a: Uint8Array, seq: number): Uint8Array {
  const b = new Uint8Array(Math.max(seq + 1, 2 * a.length));
  b.set(a);
  return b;
}

/**
 * The registry's size and number of organisations holding records, counted at most every ten minutes (term
 * frequencies need no more).
 */
const SIZES_TTL_MS = 10 * 60_000;
const sizes = new WeakMap<Registry, { at: number; total: number; hospitals: number }>();

async function registrySize(reg: Registry): Promise<{ total: number; hospitals: number }> {
  const now = Date.now();
  const known = sizes.get(reg);
  if (known && now - known.at < SIZES_TTL_MS) return known;
  // Index-only counts (records_tenant, records_erased, records_org): scans of the record rows took
  // seconds at a million, paid by every `tracevault trace`.
  const count = async (sql: string) => Number((await reg.db.get<{ n: number }>(sql, [reg.tenantId]))?.n ?? 0);
  const total =
    (await count('SELECT COUNT(*) AS n FROM records WHERE tenant_id = ?')) -
    (await count('SELECT COUNT(*) AS n FROM records WHERE tenant_id = ? AND erased_at IS NOT NULL'));
  const hospitals = await count(
    'SELECT COUNT(*) AS n FROM organisations o WHERE o.tenant_id = ? ' +
      'AND EXISTS (SELECT 1 FROM records r WHERE r.org_id = o.id)',
  );
  sizes.set(reg, { at: now, total, hospitals });
  return { total, hospitals };
}

/**
 * The registry counts term frequencies come from (linker.frequencies): its size, and how many records hold each of
 * the leak's names.
 */
async function frequencyCounts(reg: Registry, rows: readonly LeakRow[]): Promise<FrequencyCounts> {
  const { total, hospitals } = await registrySize(reg);
  // By index form: a registry name counts as the leak's name it normalises to.
  const names = new Map<string, Buffer>();
  for (const r of rows) {
    for (const o of r.obs) {
      if (o.value.kind !== 'personName' || o.value.name.includes('*')) continue;
      const n = indexForm('name', o.value.name);
      if (!names.has(n)) names.set(n, reg.keys.blindIndex('name', n));
    }
  }
  const byDigest = new Map<string, number>();
  for (const page of chunks([...names.values()])) {
    for (const c of await reg.db.all<{ digest: Buffer; n: number }>(
      `SELECT digest, COUNT(*) AS n FROM blind_index WHERE digest IN (${qs(page.length)}) GROUP BY digest`,
      page,
    ))
      byDigest.set(Buffer.from(c.digest).toString('hex'), Number(c.n));
  }
  return { total, hospitals, names: new Map([...names].map(([n, d]) => [n, byDigest.get(d.toString('hex')) ?? 0])) };
}

/** The disclosures that gave any of `seqs`, grouped by principal, with each principal's total. */
async function sources(reg: Registry, seqs: readonly number[]): Promise<SourceInput[]> {
  const items = new Map<string, Map<number, Map<string, number>>>();
  for (const page of chunks(seqs)) {
    for (const r of await reg.db.all<{ disclosure_id: string; record_seq: number; field: string; version: number }>(
      `SELECT disclosure_id, record_seq, field, version FROM disclosure_items WHERE record_seq IN (${qs(page.length)})`,
      page,
    )) {
      let d = items.get(r.disclosure_id);
      if (!d) items.set(r.disclosure_id, (d = new Map<number, Map<string, number>>()));
      let f = d.get(Number(r.record_seq));
      if (!f) d.set(Number(r.record_seq), (f = new Map<string, number>()));
      f.set(r.field, Number(r.version));
    }
  }
  const byPrincipal = new Map<string, DisclosureSummary[]>();
  for (const page of chunks([...items.keys()])) {
    for (const d of await reg.db.all<{
      id: string;
      principal_id: string;
      at: string;
      channel: string;
      export_id: string | null;
      fingerprint: string | null;
    }>(
      `SELECT id, principal_id, at, channel, export_id, fingerprint FROM disclosures
       WHERE tenant_id = ? AND id IN (${qs(page.length)})`,
      [reg.tenantId, ...page],
    )) {
      const list = byPrincipal.get(d.principal_id) ?? [];
      list.push({
        id: d.id,
        principalId: d.principal_id,
        at: d.at,
        channel: d.channel,
        exportId: d.export_id,
        fingerprint: d.fingerprint,
        items: items.get(d.id)!,
      });
      byPrincipal.set(d.principal_id, list);
    }
  }
  const totals = new Map<string, number>();
  for (const page of chunks([...byPrincipal.keys()])) {
    for (const r of await reg.db.all<{ p: string; n: number }>(
      `SELECT d.principal_id AS p, COUNT(DISTINCT i.record_seq) AS n
       FROM disclosures d JOIN disclosure_items i ON i.disclosure_id = d.id
       WHERE d.tenant_id = ? AND d.principal_id IN (${qs(page.length)}) GROUP BY d.principal_id`,
      [reg.tenantId, ...page],
    ))
      totals.set(r.p, Number(r.n));
  }
  return [...byPrincipal].map(([principalId, disclosures]) => ({
    principalId,
    disclosures,
    totalRecords: totals.get(principalId) ?? disclosures.length,
  }));
}

// The organisations below are those of records already read for this tenant, so the queries name
// no tenant: with one, SQLite's planner scans the tenant's index instead of records_org.
async function strataSizes(reg: Registry, orgs: readonly (string | null)[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const ids = [...new Set(orgs.filter((o): o is string => o !== null))];
  for (const page of chunks(ids)) {
    for (const r of await reg.db.all<{ org_id: string; m: string; n: number }>(
      `SELECT org_id, substr(created_at, 1, 7) AS m, COUNT(*) AS n FROM records
       WHERE org_id IN (${qs(page.length)}) GROUP BY org_id, substr(created_at, 1, 7)`,
      page,
    ))
      out.set(`${r.org_id}|${r.m}`, Number(r.n));
  }
  return out;
}

/**
 * Creation times (ms, ascending) of records of these organisations created after `fromMs`, at most `limit`; and how
 * many were created before.
 */
async function creations(
  reg: Registry,
  orgs: readonly string[],
  fromMs: number,
  limit: number,
): Promise<{ before: number; later: number[] }> {
  if (orgs.length === 0) return { before: 0, later: [] };
  // Stored times carry their own offsets: filter by date string loosely, then by instant exactly.
  const day = new Date(fromMs - 2 * 86_400_000).toISOString().slice(0, 10);
  const rows = await reg.db.all<{ created_at: string }>(
    `SELECT created_at FROM records WHERE staged_by IS NULL AND org_id IN (${qs(orgs.length)}) AND created_at >= ?`,
    [...orgs, day],
  );
  const total = Number(
    (
      await reg.db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM records WHERE staged_by IS NULL AND org_id IN (${qs(orgs.length)})`,
        orgs,
      )
    )?.n ?? 0,
  );
  const times = rows.map((r) => Date.parse(r.created_at)).sort((a, b) => a - b);
  const later = times.filter((t) => t > fromMs);
  return { before: total - later.length, later: later.slice(0, limit) };
}

/**
 * The fingerprint bound of every marked disclosure that gave linked records, and the leaked rows
 * whose marks contradict a disclosure's codeword (by leaked row: the disclosure ids). Candidates
 * are the codewords: one per marked export (SCHEME) and one per principal for all its reveals
 * (PRINCIPAL_SCHEME, the bound then applies to each of its reveals); each is scored over the
 * positions it could have marked (scoreOwnPositions, contradictedRows).
 */
function markEvidence(
  deps: TraceDeps,
  srcs: readonly SourceInput[],
  rows: readonly LeakRow[],
  linked: readonly { l: Link; i: number }[],
) {
  const reg = deps.registry;
  const fingerprints = new Map<string, number>();
  const contradicts = new Map<number, Set<string>>();
  const observed = observeMarks(
    BIRTH,
    rows.map((r) => r.cells),
  );
  if (observed.size === 0) return { fingerprints, contradicts };
  const candidates: MarkedSource[] = [];
  const members = new Map<string, string[]>();
  for (const s of srcs) {
    const reveals = s.disclosures.filter((d) => d.fingerprint === PRINCIPAL_SCHEME);
    for (const d of s.disclosures)
      if (d.fingerprint === SCHEME)
        candidates.push({ id: d.id, key: reg.keys.keyedId(DISCLOSURE_KEY_LABEL, d.id), received: receivedBy([d]) });
    if (reveals.length > 0) {
      candidates.push({
        id: `principal:${s.principalId}`,
        key: reg.keys.keyedId(REVEAL_KEY_LABEL, s.principalId),
        received: receivedBy(reveals),
      });
      members.set(
        `principal:${s.principalId}`,
        reveals.map((d) => d.id),
      );
    }
  }
  const rowsOf = new Map<number, number[]>();
  for (const { l, i } of linked) (rowsOf.get(l.seq) ?? rowsOf.set(l.seq, []).get(l.seq)!).push(i);
  const vkeys = rows.map((r) => virtualKey(r.cells));
  const tails = scoreOwnPositions(deps.code, observed, vkeys, rowsOf, candidates);
  for (const [id, tail] of tails) for (const d of members.get(id) ?? [id]) fingerprints.set(d, tail);
  for (const [i, ids] of contradictedRows(deps.code, observed, vkeys, rowsOf, candidates, tails))
    contradicts.set(i, new Set([...ids].flatMap((id) => members.get(id) ?? [id])));
  return { fingerprints, contradicts };
}

export async function runTrace(deps: TraceDeps, table: LeakTable, opts: TraceOptions = {}): Promise<TraceReport> {
  const reg = deps.registry;
  const epsilon = opts.epsilon ?? DEFAULT_EPSILON;
  if (!(epsilon > 0 && epsilon < 1)) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'epsilon', rule: 'range' });
  const rows = table.rows;
  if (rows.length === 0) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'noRows' });
  await backfillBlocks(reg, (d, t) => opts.onProgress?.('index', d, t));

  // Canaries first: a canary row is not a record and links to nothing else.
  const canaryHits = await findCanaries(
    reg.db,
    reg.tenantId,
    rows.map((r) => r.cells),
    deps.canaryKeys,
  );
  const canaryRows = new Set(canaryHits.flatMap((h) => h.rows));

  // Linkage: precise blocks first, broad ones for the rows still unlinked.
  const counts = await frequencyCounts(reg, rows);
  // Only the fields the leak shows (or leaves empty) are compared: only their versions are opened.
  const compared = fieldsCompared(rows.flatMap((r) => [...r.obs.map((o) => o.target), ...r.empty]));
  const links = new Array<Link | undefined>(rows.length);
  const held = new Map<number, { orgId: string | null; createdAt: string }>();
  const linker = await startLinker(deps, compared, counts, rows.length, opts.worker);
  try {
    const sent = new Set<number>();
    const blocking: Blocking = { known: new Map(), tally: new Uint8Array(1 << 16) };
    const candidates = new Map<number, Set<number>>();
    let pending = rows.map((_, i) => i).filter((i) => !canaryRows.has(i));
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
  const linked = links.flatMap((l, i) => (l ? [{ l, i }] : []));

  // Evidence.
  const seqs = [...new Set(linked.map((x) => x.l.seq))];
  const srcs = await sources(reg, seqs);
  const strata = await strataSizes(
    reg,
    linked.map((x) => held.get(x.l.seq)!.orgId),
  );
  const { fingerprints, contradicts } = markEvidence(deps, srcs, rows, linked);
  const evidenceRows: RowEvidence[] = linked.map((x) => {
    const rec = held.get(x.l.seq)!;
    return {
      seq: x.l.seq,
      matches: x.l.matches,
      stratum: stratumOf(rec.orgId, rec.createdAt),
      contradicts: contradicts.get(x.i),
    };
  });
  const canaries = new Map<string, number>();
  for (const h of canaryHits) canaries.set(h.disclosureId, (canaries.get(h.disclosureId) ?? 0) + 1);
  const extra = { canaries, fingerprints };
  const prepared = prepare(evidenceRows, srcs, strata, PUBLIC_FIELDS);
  const verdict = attribute(prepared, extra, { epsilon });
  const fragile = fragileRows(prepared, extra, { epsilon }).map((i) => rows[linked[i]!.i]!.line);

  const mixture = explainMixture(evidenceRows, srcs, strata, extra, { epsilon }, PUBLIC_FIELDS);

  // When.
  const dated = rowsOfLead(prepared, verdict);
  const intervals = dated.map((k) => linkInterval(linked[k]!.l, held.get(linked[k]!.l.seq)!.createdAt));
  const calls = rows.map((r) => (r.calledAt ? Date.parse(r.calledAt) : NaN)).filter((t) => !Number.isNaN(t));
  const firstCall = calls.length > 0 ? Math.min(...calls) : undefined;
  let window = estimateWindow(intervals, { firstCall });
  const orgs = [...new Set(linked.map((x) => held.get(x.l.seq)!.orgId).filter((o): o is string => o !== null))];
  if (window.from) {
    const c = await creations(reg, orgs, Date.parse(window.from), 2000);
    const fraction = c.before > 0 ? Math.min(1, seqs.length / c.before) : 0;
    window = estimateWindow(intervals, { firstCall, fraction, laterCreations: c.later });
  }
  if (dated.length < linked.length)
    window = {
      ...window,
      basis: [
        `dated by the ${dated.length} of ${linked.length} linked rows consistent with the leading source ` +
          `(the rest taken as noise)`,
        ...window.basis,
      ],
    };

  // Who is affected: the rows matched, and everyone in the disclosures the leak came from.
  const direct = [...new Set(linked.map((x) => x.l.id))];
  let viaSource: string[] = [];
  const accusedSource = verdict.accused && srcs.find((s) => s.principalId === verdict.accused!.principalId);
  let disclosedAt: string | null = null;
  if (accusedSource) {
    const ids = accusedSource.disclosures.filter((d) => evidenceRows.some((r) => d.items.has(r.seq))).map((d) => d.id);
    disclosedAt = accusedSource.disclosures.find((d) => d.id === verdict.accused!.disclosureId)?.at ?? null;
    const seqsVia = new Set<number>();
    for (const page of chunks(ids))
      for (const r of await reg.db.all<{ s: number }>(
        `SELECT DISTINCT record_seq AS s FROM disclosure_items WHERE disclosure_id IN (${qs(page.length)})`,
        page,
      ))
        seqsVia.add(Number(r.s));
    for (const page of chunks([...seqsVia]))
      for (const r of await reg.db.all<{ id: string }>(
        `SELECT id FROM records WHERE seq IN (${qs(page.length)})`,
        page,
      ))
        viaSource.push(r.id);
    const d = new Set(direct);
    viaSource = viaSource.filter((id) => !d.has(id)).sort();
  }

  const fields = [
    ...new Set(
      table.columns.length > 0
        ? table.columns.flatMap((c) => (c.target && c.target !== 'calledAt' ? [c.target] : []))
        : rows.flatMap((r) => r.obs.map((o) => o.target)),
    ),
  ];
  const stale = linked.filter((x) => x.l.stale).length;
  const missingEvidence: string[] = [];
  if (fingerprints.size === 0)
    missingEvidence.push(
      'no fingerprint marks could be read (the leak may be normalised, or its source was not a marked export)',
    );
  if (canaryHits.length === 0) missingEvidence.push('no canary found in the leak');
  if (srcs.length === 0) missingEvidence.push('no recorded disclosure gave the linked records');
  if (linked.length < rows.length - canaryRows.size)
    missingEvidence.push(
      `${rows.length - canaryRows.size - linked.length} rows could not be linked to a record ` +
        `(fabricated, another registry, or too damaged)`,
    );
  const partial = {
    fields,
    window: { ...window, disclosedAt },
    affected: { direct, viaSource, total: direct.length + viaSource.length },
    accused: verdict.accused,
    rows: {
      total: rows.length,
      linked: linked.length,
      current: linked.length - stale,
      stale,
      unlinked: rows.length - linked.length - canaryRows.size,
      canaries: canaryRows.size,
    },
  };
  return {
    id: newId('t'),
    createdAt: deps.now().toISOString(),
    epsilon,
    file: { format: table.format, columns: table.columns },
    complaints: calls.length > 0,
    ...partial,
    threshold: verdict.threshold,
    confidenceSets: verdict.confidenceSets,
    candidates: verdict.candidates,
    mixture,
    fragile: { verdictHingesOnOneRow: fragile.length > 0, rows: fragile },
    assumptions: [
      '"Obtained elsewhere": rows drawn from the registry uniformly within hospital and month recorded, ' +
        "in the leak's own proportions.",
      'Uniform model: a leaker took rows uniformly from everything the source received in clear (prior 1/2) ' +
        'or from one of its export files (1/2, shared among them); ' +
        'a fraction η of rows (integrated over 0–75%) came from elsewhere.',
      "Fingerprint marks that contradict a disclosure's codeword (100 : 1 against the row coming from its copy) " +
        'make the row inconsistent with that disclosure; ' +
        "they are read only on fields where another source's marks are shown intact.",
      'Any-subset model: the leaker chose which of its records to leak (a record repeated in the leak counts once); ' +
        'used for every rival, so no source is cleared on the size of its access alone.',
      'Confidence sets: a source is left out only when a proper likelihood ratio ' +
        '(another source\'s uniform model, or "elsewhere") beats its better model by |E|/ε, ' +
        'so the true source is left out with probability at most ε.',
      'Canaries count 10^12 each (a canary exists only in the file minted for its disclosure); ' +
        "fingerprint evidence is the bound on an innocent disclosure's score.",
      `Rows link to a record at ${DEFAULT_THRESHOLD} bits of Fellegi–Sunter weight ` +
        `and ${DEFAULT_MARGIN} bits above the runner-up.`,
    ],
    missingEvidence,
    notices: notices(partial),
  };
}
