/**
 * A trace, end to end: a leaked table in, a report out. The orchestration: canaries, then linkage
 * (link-rows.ts, with blocking.ts and the registry's counts), then the evidence — the disclosures
 * that gave the linked records (sources.ts), fingerprint marks (mark-evidence.ts), strata sizes —
 * the time window (dating.ts), who is affected, and the report (assumptions.ts, report.ts).
 * Linkage, evidence, window and report are pure (their own modules).
 */
import { TracevaultError } from '../errors.ts';
import { newId } from '../crypto/ids.ts';
import type { Registry } from '../store/registry.ts';
import { findCanaries, type CanaryKeys } from '../disclose/canary.ts';
import type { TardosCode } from '../disclose/tardos.ts';
import { PUBLIC_FIELDS } from '../schema/record-type.ts';
import type { Kek } from '../crypto/key-file.ts';
import type { LeakTable } from './leak-file.ts';
import { fieldsCompared } from './linkage.ts';
import { attribute, explainMixture, fragileRows, prepare, stratumOf, type RowEvidence } from './evidence.ts';
import { notices, type TraceReport } from './report.ts';
import { backfillBlocks } from './backfill.ts';
import { linkRows } from './link-rows.ts';
import { frequencyCounts, strataSizes } from './registry-counts.ts';
import { affectedViaSource, sources } from './sources.ts';
import { markEvidence } from './mark-evidence.ts';
import { callTimes, dateLeak } from './dating.ts';
import { assumptions, missingEvidence } from './assumptions.ts';
import { beijing, whoIsWho } from './people.ts';

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
  /** The report's id (a trace job names it in advance); default a new one. */
  readonly id?: string;
  /**
   * Link on a worker thread (true) or on this one (false); by default from WORKER_ROWS rows (link-rows.ts),
   * given the key-encryption key.
   */
  readonly worker?: boolean;
  /**
   * Where the trace stands: `index` (records indexed for linkage, once per vault), `canaries`, `link`
   * (rows linked), `evidence`, `window`, `report`; counts only.
   */
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export const DEFAULT_EPSILON = 1e-6;
/** Candidates whose principal and disclosure the report names (the chart shows 12). */
const NAMED_CANDIDATES = 50;

export async function runTrace(deps: TraceDeps, table: LeakTable, opts: TraceOptions = {}): Promise<TraceReport> {
  const reg = deps.registry;
  const epsilon = opts.epsilon ?? DEFAULT_EPSILON;
  if (!(epsilon > 0 && epsilon < 1)) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'epsilon', rule: 'range' });
  const rows = table.rows;
  if (rows.length === 0) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'noRows' });
  await backfillBlocks(reg, (d, t) => opts.onProgress?.('index', d, t));

  // Canaries first: a canary row is not a record and links to nothing else.
  opts.onProgress?.('canaries', 0, rows.length);
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
  const { links, held } = await linkRows(reg, rows, canaryRows, compared, counts, {
    kek: deps.kek,
    worker: opts.worker,
    onProgress: opts.onProgress,
  });
  const linked = links.flatMap((l, i) => (l ? [{ l, i }] : []));

  // Evidence.
  opts.onProgress?.('evidence', 0, linked.length);
  const seqs = [...new Set(linked.map((x) => x.l.seq))];
  const srcs = await sources(reg, seqs);
  const strata = await strataSizes(
    reg,
    linked.map((x) => held.get(x.l.seq)!.orgId),
  );
  const { fingerprints, contradicts } = markEvidence(reg, deps.code, srcs, rows, linked);
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
  opts.onProgress?.('window', 0, linked.length);
  const calls = callTimes(rows);
  const window = await dateLeak(reg, linked, held, prepared, verdict, calls, seqs.length);

  // Who is affected: the rows matched, and everyone in the disclosures the leak came from.
  const direct = [...new Set(linked.map((x) => x.l.id))];
  const { viaSource, disclosedAt } = await affectedViaSource(reg, srcs, evidenceRows, verdict.accused, direct);

  opts.onProgress?.('report', 0, 0);
  // The people and disclosures the report names, by name, role, organisation, channel and date.
  const named = await whoIsWho(
    reg.db,
    reg.tenantId,
    [
      ...(verdict.accused ? [verdict.accused.principalId] : []),
      ...verdict.candidates.slice(0, NAMED_CANDIDATES).map((c) => c.principalId),
      ...Object.values(verdict.confidenceSets).flat(),
      ...mixture.map((m) => m.principalId),
    ],
    [
      ...(verdict.accused?.disclosureId ? [verdict.accused.disclosureId] : []),
      ...verdict.candidates.slice(0, NAMED_CANDIDATES).flatMap((c) => (c.disclosureId ? [c.disclosureId] : [])),
      ...mixture.flatMap((m) => (m.disclosureId ? [m.disclosureId] : [])),
    ],
  );
  const fields = [
    ...new Set(
      table.columns.length > 0
        ? table.columns.flatMap((c) => (c.target && c.target !== 'calledAt' ? [c.target] : []))
        : rows.flatMap((r) => r.obs.map((o) => o.target)),
    ),
  ];
  const stale = linked.filter((x) => x.l.stale).length;
  const missing = missingEvidence({
    fingerprints: fingerprints.size,
    canaries: canaryHits.length,
    sources: srcs.length,
    rows: rows.length,
    canaryRows: canaryRows.size,
    linked: linked.length,
  });
  const partial = {
    fields,
    window: { ...window, disclosedAt },
    affected: { direct, viaSource, total: direct.length + viaSource.length },
    accused: verdict.accused,
    people: named.people,
    rows: {
      total: rows.length,
      linked: linked.length,
      current: linked.length - stale,
      stale,
      unlinked: rows.length - linked.length - canaryRows.size,
      canaries: canaryRows.size,
    },
  };
  const createdAt = deps.now().toISOString();
  return {
    id: opts.id ?? newId('t'),
    createdAt,
    epsilon,
    file: { format: table.format, columns: table.columns },
    complaints: calls.length > 0,
    ...partial,
    threshold: verdict.threshold,
    confidenceSets: verdict.confidenceSets,
    candidates: verdict.candidates,
    mixture,
    fragile: { verdictHingesOnOneRow: fragile.length > 0, rows: fragile },
    assumptions: assumptions(),
    missingEvidence: missing,
    notices: notices(partial),
    people: named.people,
    disclosures: named.disclosures,
    beijingTime: {
      createdAt: beijing(createdAt),
      windowFrom: window.from ? beijing(window.from) : null,
      windowTo: window.to ? beijing(window.to) : null,
      disclosedAt: disclosedAt ? beijing(disclosedAt) : null,
    },
  };
}
