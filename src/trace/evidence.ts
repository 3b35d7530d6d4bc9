/**
 * Evidence fusion: which source a leak came from. Pure.
 *
 * Sources are the principals that received the linked records (their disclosures: reveals,
 * exports), and "obtained elsewhere". A linked row is *consistent* with a source when one of its
 * disclosures gave that record in the versions the row shows, for every field the row shows in
 * clear (public fields and values seen only masked need no disclosure), and the row's fingerprint
 * marks do not contradict that disclosure's codeword (where the leak shows a source's marks intact,
 * a row whose marks disagree with a rival's codeword is 100 : 1 not from the rival's copy).
 *
 * Models (log10 likelihood ratios against "elsewhere", which is 0 by definition):
 * - elsewhere: a row comes from the registry's population, uniformly within its stratum (hospital
 *   and month recorded), the strata in the leak's own proportions w_s: P_E(r) = w_s / N_s;
 * - uniform: the leaker took rows uniformly from everything the source received, |D_S| records,
 *   and a fraction η of the leak is noise from elsewhere: P(r | S) = (1 − η) c_r / |D_S| + η P_E(r);
 *   for a source with files (exports, feeds), half of the prior goes to "from one of its files"
 *   instead, the same form with the file's records (uniformLR);
 * - any subset: the leaker chose which of its records to leak (maximum likelihood: the k_S records
 *   of the rows consistent with it), so a source is never cleared on the size of its access alone.
 * η is integrated over a grid (a mixture: for a fixed source the uniform model's ratio then has
 * expectation 1 under "elsewhere", so by Markov's inequality it exceeds |E|/ε with probability at
 * most ε/|E|, and a union bound over the |E| sources bounds false accusations by ε).
 * Canaries add 12 per canary found (a canary exists only in the file minted for its disclosure),
 * fingerprint marks −log10 of the bound on an innocent disclosure's score (disclose/marks.ts).
 *
 * Verdict: the source with the best model's highest ratio is accused when its uniform-model ratio is
 * at least |E|/ε against "elsewhere" and its better model beats every other source's better model
 * by |E|/ε; otherwise the confidence sets list the sources whose better model is within |E|/ε of
 * the best uniform-model ratio, "elsewhere" included (so "elsewhere" is in while no source's
 * uniform ratio reaches |E|/ε). A source is excluded only by a proper likelihood ratio: if it is
 * the source, a rival's uniform ratio over its own has expectation 1, so by Markov's inequality
 * and a union bound the true source is left out with probability at most ε. A rival's any-subset
 * model is a maximum over subsets, not a likelihood one can bound; it keeps the rival in the set
 * and in the way of an accusation, but never pushes another source out. A leak merged from
 * several sources is explained as a mixture: the leading source's rows, then the rest on their own.
 */
import type { FieldMatch, Level } from './linkage.ts';

export interface DisclosureSummary {
  readonly id: string;
  readonly principalId: string;
  readonly at: string;
  readonly channel: string;
  readonly exportId?: string | null;
  /** The fingerprint scheme its values were marked with (disclose/marks.ts), if any. */
  readonly fingerprint?: string | null;
  /** For each record (seq) it gave: field → version given in clear. */
  readonly items: ReadonlyMap<number, ReadonlyMap<string, number>>;
}

/**
 * What disclosures gave, as fingerprint candidates read it (disclose/marks.ts MarkedSource):
 * record → fields, produced lazily each time it is iterated (scoring stops at a cap of positions,
 * well inside an export's million items).
 */
export function receivedBy(ds: readonly DisclosureSummary[]): Iterable<readonly [number, Iterable<string>]> {
  return {
    *[Symbol.iterator]() {
      for (const d of ds) for (const [seq, fields] of d.items) yield [seq, fields.keys()] as const;
    },
  };
}

export interface SourceInput {
  readonly principalId: string;
  readonly disclosures: readonly DisclosureSummary[];
  /** Distinct records the principal ever received in clear. */
  readonly totalRecords: number;
}

export interface RowEvidence {
  readonly seq: number;
  readonly matches: readonly FieldMatch[];
  readonly stratum: string;
  /** Disclosures whose codeword the row's marks contradict (disclose/marks.ts contradictedRows). */
  readonly contradicts?: ReadonlySet<string>;
}

export interface ExtraEvidence {
  /** Canaries found in the leak, by disclosure. */
  readonly canaries: ReadonlyMap<string, number>;
  /** Fingerprint bound (chance an innocent disclosure scores as high), by disclosure. */
  readonly fingerprints: ReadonlyMap<string, number>;
}

export interface SourceScore {
  readonly principalId: string;
  /** The disclosure that explains most rows (or carries the canary or marks). */
  readonly disclosureId: string | null;
  readonly consistentRows: number;
  readonly log10LR: number;
  readonly log10LRAnySubset: number;
  readonly log10Fingerprint: number;
  readonly canaries: number;
  /** max(uniform, any subset) + marks + canaries. */
  readonly log10Best: number;
}

export interface Verdict {
  readonly accused: { principalId: string; disclosureId: string | null; log10LR: number } | null;
  readonly threshold: number;
  readonly candidates: readonly SourceScore[];
  /** For each ε: the sources not excluded ("elsewhere" included when it is not). */
  readonly confidenceSets: Readonly<Record<string, readonly string[]>>;
}

export const ELSEWHERE = 'elsewhere';

/** The stratum of "elsewhere": the record's organisation and the month it was recorded. */
export function stratumOf(orgId: string | null, createdAt: string): string {
  return `${orgId ?? '-'}|${createdAt.slice(0, 7)}`;
}
export const ETA_GRID: readonly number[] = [0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75];
export const CANARY_WEIGHT = 12;
const LEVELS_SEEN_MASKED: ReadonlySet<Level> = new Set(['masked', 'date', 'disagree']);

function logSumExp10(logs: readonly number[]): number {
  const m = Math.max(...logs);
  if (m === -Infinity) return -Infinity;
  return m + Math.log10(logs.reduce((s, l) => s + 10 ** (l - m), 0));
}
const logMeanExp10 = (logs: readonly number[]) => logSumExp10(logs) - Math.log10(logs.length);

/** Whether disclosure `d` gave the row's record in the versions the row shows, and its marks do not contradict d's. */
export function consistentWith(row: RowEvidence, d: DisclosureSummary, publicFields: ReadonlySet<string>): boolean {
  const given = d.items.get(row.seq);
  if (!given || row.contradicts?.has(d.id)) return false;
  for (const m of row.matches) {
    if (LEVELS_SEEN_MASKED.has(m.level) || publicFields.has(m.field)) continue;
    if (given.get(m.field) !== m.version) return false;
  }
  return true;
}

export interface AttributeOptions {
  readonly epsilon: number;
  readonly epsilons?: readonly number[];
}

/** Row `i` is among the sorted row indices `okRows`. */
function includes(okRows: Int32Array, i: number): boolean {
  let lo = 0,
    hi = okRows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = okRows[mid]!;
    if (v === i) return true;
    if (v < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Per source, which rows are consistent with it (sorted row indices, and their count per stratum)
 * and how many rows each of its disclosures explains; per stratum, 1 / P_E(r) = N_s / w_s (the
 * same for every row of a stratum). Work is proportional to what the sources gave of the linked
 * records, never sources × rows.
 */
export function prepare(
  rows: readonly RowEvidence[],
  sources: readonly SourceInput[],
  strata: ReadonlyMap<string, number>,
  publicFields: ReadonlySet<string>,
) {
  const strataIndex = new Map<string, number>();
  const stratumOfRow = new Int32Array(rows.length);
  const rowsBySeq = new Map<number, number[]>();
  rows.forEach((r, i) => {
    let s = strataIndex.get(r.stratum);
    if (s === undefined) strataIndex.set(r.stratum, (s = strataIndex.size));
    stratumOfRow[i] = s;
    (rowsBySeq.get(r.seq) ?? rowsBySeq.set(r.seq, []).get(r.seq)!).push(i);
  });
  const rowsPerStratum = new Int32Array(strataIndex.size);
  for (const s of stratumOfRow) rowsPerStratum[s]!++;
  const inverseElsewhere = new Float64Array(strataIndex.size);
  for (const [name, s] of strataIndex)
    inverseElsewhere[s] = (Math.max(1, strata.get(name) ?? 1) * rows.length) / rowsPerStratum[s]!;
  const rowsOf = (ok: Iterable<number>) => {
    const okRows = Int32Array.from(ok).sort();
    const okPerStratum = new Int32Array(strataIndex.size);
    for (const i of okRows) okPerStratum[stratumOfRow[i]!]!++;
    return { okRows, okPerStratum };
  };
  const consistency = sources.map((src) => {
    const ok = new Set<number>();
    const hits = new Map<string, number>();
    const files: { id: string; size: number; okRows: Int32Array; okPerStratum: Int32Array }[] = [];
    let fileCount = 0;
    for (const d of src.disclosures) {
      const own: number[] = [];
      for (const seq of d.items.keys()) {
        for (const i of rowsBySeq.get(seq) ?? []) {
          if (!consistentWith(rows[i]!, d, publicFields)) continue;
          ok.add(i);
          own.push(i);
        }
      }
      if (own.length > 0) hits.set(d.id, own.length);
      if (d.channel === 'api') continue;
      fileCount++;
      if (own.length > 0) files.push({ id: d.id, size: d.items.size, ...rowsOf(own) });
    }
    // The records behind them: a leak may repeat a record, and a subset is of records, not rows.
    const all = rowsOf(ok);
    const records = new Set(Array.from(all.okRows, (i) => rows[i]!.seq)).size;
    return { ...all, hits, records, files, fileCount };
  });
  return {
    rows,
    sources,
    stratumOfRow,
    rowsPerStratum,
    inverseElsewhere,
    consistency,
    memo: new Map<string, ReturnType<typeof etaTerms>>(),
  };
}

export type Prepared = ReturnType<typeof prepare>;

/**
 * For each η of the grid: the log10 term of a consistent row of each stratum,
 * log10((1 − η) / P_E(r) / size + η), of an inconsistent row, log10 η, and their sum over all
 * rows, kept as a finite part and a count of −∞ terms (η = 0 with inconsistent rows), so that a
 * row can be left out exactly.
 */
function etaTerms(okPerStratum: Int32Array, rowsPerStratum: Int32Array, inverseElsewhere: Float64Array, size: number) {
  const bad = rowsPerStratum.reduce((a, n, s) => a + n - okPerStratum[s]!, 0);
  return ETA_GRID.map((eta) => {
    const okTerm = Float64Array.from(inverseElsewhere, (inv) =>
      Math.log10(((1 - eta) * inv) / Math.max(1, size) + eta),
    );
    const badTerm = Math.log10(eta);
    let finite = eta > 0 ? bad * badTerm : 0;
    for (let s = 0; s < okTerm.length; s++) if (okPerStratum[s]! > 0) finite += okPerStratum[s]! * okTerm[s]!;
    return { okTerm, badTerm, finite, infinite: eta === 0 ? bad : 0 };
  });
}

/**
 * log10 of the η-mixture likelihood ratio of a source's rows (`okRows`, `okPerStratum`) drawing
 * from `size` records; without row `skip` (leave-one-out). Terms are memoised in `memo` by `key`.
 */
export function mixtureLR(
  p: Pick<Prepared, 'stratumOfRow' | 'rowsPerStratum' | 'inverseElsewhere'>,
  c: { okRows: Int32Array; okPerStratum: Int32Array },
  size: number,
  skip = -1,
  memo?: Map<string, ReturnType<typeof etaTerms>>,
  key?: string,
): number {
  let t = key !== undefined ? memo?.get(key) : undefined;
  if (!t) {
    t = etaTerms(c.okPerStratum, p.rowsPerStratum, p.inverseElsewhere, size);
    if (key !== undefined) memo?.set(key, t);
  }
  const skipOk = skip >= 0 && skip < p.stratumOfRow.length ? includes(c.okRows, skip) : undefined;
  return logMeanExp10(
    t.map((e) => {
      if (skipOk === undefined) return e.infinite > 0 ? -Infinity : e.finite;
      if (skipOk) return e.infinite > 0 ? -Infinity : e.finite - e.okTerm[p.stratumOfRow[skip]!]!;
      return e.infinite > 1 ? -Infinity : e.infinite === 1 ? e.finite : e.finite - e.badTerm;
    }),
  );
}

/**
 * The uniform model of a source: with prior 1/2 the leaker drew from everything it received, and
 * with 1/2 from one of its files (exports, feeds: each 1 / (2 × its files)), which is what a
 * leaked export usually is; a principal that exported a month's births every month is then not
 * diluted by the other months. Each term is a likelihood ratio of expectation 1 under
 * "elsewhere", so their weighted mean is too, and the Markov bound holds. Files that gave none of
 * the rows add (almost) nothing but count in the weights.
 */
function uniformLR(
  p: Prepared,
  c: Prepared['consistency'][number],
  totalRecords: number,
  skip: number,
  key: string,
): number {
  const all = mixtureLR(p, c, totalRecords, skip, p.memo, `${key}|u`);
  if (c.fileCount === 0) return all;
  return logSumExp10([
    all - Math.log10(2),
    ...c.files.map((f) => mixtureLR(p, f, f.size, skip, p.memo, `${key}|f${f.id}`) - Math.log10(2 * c.fileCount)),
  ]);
}

/** Scores every source and gives the verdict at `epsilon` (and the confidence sets at each of `epsilons`). */
export function attribute(p: Prepared, extra: ExtraEvidence, opts: AttributeOptions, skip = -1): Verdict {
  const { sources, consistency, memo } = p;
  const candidates: SourceScore[] = sources
    .map((s, i) => {
      const c = consistency[i]!;
      const { hits } = c;
      // The any-subset size is the records of the rows consistent with the source (kept when one row is left out).
      const k = c.records;
      let canaries = 0,
        fp = 0,
        markDisclosure: string | undefined;
      for (const d of s.disclosures) {
        canaries += extra.canaries.get(d.id) ?? 0;
        const tail = extra.fingerprints.get(d.id);
        if (tail !== undefined && tail < 1) {
          const e = -Math.log10(Math.max(tail, 1e-300));
          if (e > fp) {
            fp = e;
            markDisclosure = d.id;
          }
        }
      }
      // The disclosure with the most canary hits; between equals the marks decide, since a recipient's
      // canaries recur, grown, in each of its files with the same filter (service/export-canaries.ts):
      // every run of a standing due list holds them (ADR 0022).
      const hitsOf = (id: string) => extra.canaries.get(id) ?? 0;
      const tailOf = (id: string) => extra.fingerprints.get(id) ?? 1;
      const canaryDisclosure = s.disclosures
        .filter((d) => hitsOf(d.id) > 0)
        .sort((a, b) => hitsOf(b.id) - hitsOf(a.id) || tailOf(a.id) - tailOf(b.id))[0]?.id;
      const mostRows = [...hits].sort((a, b) => b[1] - a[1])[0]?.[0];
      const uniform = uniformLR(p, c, s.totalRecords, skip, `${i}`);
      const subset = k === 0 ? uniform : mixtureLR(p, c, k, skip, memo, `${i}|s`);
      const bonus = fp + Math.min(canaries, 2) * CANARY_WEIGHT;
      return {
        principalId: s.principalId,
        disclosureId: canaryDisclosure ?? markDisclosure ?? mostRows ?? null,
        consistentRows: c.okRows.length,
        log10LR: uniform + bonus,
        log10LRAnySubset: subset + bonus,
        log10Fingerprint: fp,
        canaries,
        log10Best: Math.max(uniform, subset) + bonus,
      };
    })
    .sort((a, b) => b.log10Best - a.log10Best || b.log10LR - a.log10LR);
  const E = candidates.length + 1;
  const tau = (eps: number) => Math.log10(E / eps);
  const top = candidates[0];
  // Against "elsewhere": the uniform model (a proper likelihood ratio). Against every other source:
  // both under their better model, so no rival is cleared on the size of its access alone.
  const rivals = Math.max(0, ...candidates.slice(1).map((c) => c.log10Best));
  const accused =
    top && top.log10LR >= tau(opts.epsilon) && top.log10Best - rivals >= tau(opts.epsilon)
      ? { principalId: top.principalId, disclosureId: top.disclosureId, log10LR: top.log10LR }
      : null;
  // The best proper likelihood ratio, "elsewhere" (0) included: what may exclude a source.
  const againstElsewhere = Math.max(0, ...candidates.map((c) => c.log10LR));
  const confidenceSets: Record<string, string[]> = {};
  for (const eps of opts.epsilons ?? [1e-2, 1e-4, 1e-6]) {
    const set = candidates.filter((c) => c.log10Best >= againstElsewhere - tau(eps)).map((c) => c.principalId);
    if (againstElsewhere < tau(eps)) set.push(ELSEWHERE);
    confidenceSets[String(eps)] = set;
  }
  return { accused, threshold: tau(opts.epsilon), candidates, confidenceSets };
}

/**
 * Leave-one-row-out: the rows whose removal changes the verdict (who is accused, or whether anyone
 * is). At most `limit` rows are tried (spread evenly) on a large leak.
 */
export function fragileRows(p: Prepared, extra: ExtraEvidence, opts: AttributeOptions, limit = 200): number[] {
  const base = attribute(p, extra, opts).accused?.principalId ?? null;
  const step = Math.max(1, Math.ceil(p.rows.length / limit));
  const out: number[] = [];
  for (let i = 0; i < p.rows.length; i += step) {
    const v = attribute(p, extra, opts, i).accused?.principalId ?? null;
    if (v !== base) out.push(i);
  }
  return out;
}

/**
 * The rows to date the copy by: those consistent with the leading source — the one with the best
 * proper likelihood ratio (uniform model, marks, canaries; an any-subset maximum would make the
 * account that received everything lead, and it explains the noise too) — when it explains at least
 * half of them (the rest are likely noise: a record created after the copy, a stale row, another
 * source's); otherwise all. Indices into the prepared rows.
 */
export function rowsOfLead(p: Prepared, v: Verdict): number[] {
  const all = p.rows.map((_, i) => i);
  const lead =
    v.accused ??
    v.candidates.reduce<SourceScore | undefined>((a, c) => (!a || c.log10LR > a.log10LR ? c : a), undefined);
  const i = p.sources.findIndex((s) => s.principalId === lead?.principalId);
  if (i < 0) return all;
  const own = Array.from(p.consistency[i]!.okRows);
  return own.length * 2 >= p.rows.length ? own : all;
}

export interface MixtureComponent {
  readonly principalId: string;
  readonly disclosureId: string | null;
  readonly rows: number;
  readonly accused: boolean;
}

/** A leak as a mixture: the leading source and the rows it explains, then the rest attributed on their own. */
export function explainMixture(
  rows: readonly RowEvidence[],
  sources: readonly SourceInput[],
  strata: ReadonlyMap<string, number>,
  extra: ExtraEvidence,
  opts: AttributeOptions,
  publicFields: ReadonlySet<string>,
  max = 3,
): MixtureComponent[] {
  const out: MixtureComponent[] = [];
  let rest = rows,
    pool = sources;
  while (rest.length > 0 && out.length < max) {
    const p = prepare(rest, pool, strata, publicFields);
    const v = attribute(p, extra, opts);
    const top = v.candidates[0];
    if (!top) break;
    const at = pool.findIndex((s) => s.principalId === top.principalId);
    const src = pool[at]!;
    const explained = new Set(Array.from(p.consistency[at]!.okRows, (i) => rest[i]!));
    if (explained.size === 0) break;
    out.push({
      principalId: top.principalId,
      disclosureId: top.disclosureId,
      rows: explained.size,
      accused: v.accused?.principalId === top.principalId,
    });
    rest = rest.filter((r) => !explained.has(r));
    pool = pool.filter((s) => s !== src);
    if (rest.length < 3) break;
  }
  return out;
}
