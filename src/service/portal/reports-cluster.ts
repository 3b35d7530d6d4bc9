/**
 * Reports of suspicious calls, clustered for investigators (GET /v1/reports): two reports are in one
 * cluster when they name the same claim ("妇幼保健院摄影师", compared as a keyed reference of its
 * normalised text) or come from the same number (a keyed reference too), transitively (union–find).
 * A cluster says how many reports and families, when its calls came, what its callers claimed to be,
 * their numbers masked with their references, and how often each field was known — never a value of a
 * family. Pure: the rows come opened from reports.ts.
 */

export interface ClusterInput {
  readonly id: string;
  readonly recordId: string;
  readonly calledAt: string;
  readonly knew: readonly string[];
  /** Hex of the keyed reference of the normalised claim. */
  readonly claimRef: string;
  /** Hex of the keyed reference of the normalised number, when one was given. */
  readonly callerRef: string | null;
  readonly claimedToBe: string;
  /** The number, masked for display (e.g. 138****5678). */
  readonly callerMasked: string | null;
}

export interface ReportCluster {
  readonly id: string;
  readonly reports: number;
  readonly families: number;
  readonly firstCallAt: string;
  readonly lastCallAt: string;
  readonly claimedToBe: readonly string[];
  readonly callers: readonly { readonly ref: string; readonly masked: string; readonly reports: number }[];
  readonly knew: readonly { readonly field: string; readonly reports: number }[];
  readonly reportIds: readonly string[];
}

/** The most distinct claims a cluster lists (the rest are counted in `reports`). */
const MAX_CLAIMS = 10;

export function clusterReports(rows: readonly ClusterInput[]): ReportCluster[] {
  // Several rows of one report (one per child) are one report: grouped by report id first.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => {
    const [x, y] = [find(a), find(b)];
    if (x !== y) parent.set(x < y ? y : x, x < y ? x : y);
  };
  const node = (k: string) => {
    if (!parent.has(k)) parent.set(k, k);
    return k;
  };
  for (const r of rows) {
    const me = node(`r:${r.id}`);
    union(me, node(`c:${r.claimRef}`));
    if (r.callerRef) union(me, node(`n:${r.callerRef}`));
  }
  const groups = new Map<string, ClusterInput[]>();
  for (const r of rows) {
    const k = find(`r:${r.id}`);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const clusters = [...groups.values()].map((g): ReportCluster => {
    const reportIds = [...new Set(g.map((r) => r.id))].sort();
    const byReport = new Map(g.map((r) => [r.id, r]));
    const reports = [...byReport.values()];
    const callers = new Map<string, { ref: string; masked: string; reports: number }>();
    const knew = new Map<string, number>();
    for (const r of reports) {
      if (r.callerRef && r.callerMasked) {
        const c = callers.get(r.callerRef) ?? { ref: r.callerRef, masked: r.callerMasked, reports: 0 };
        c.reports++;
        callers.set(r.callerRef, c);
      }
      for (const f of r.knew) knew.set(f, (knew.get(f) ?? 0) + 1);
    }
    const times = g.map((r) => r.calledAt).sort();
    return {
      id: reportIds[0]!,
      reports: reportIds.length,
      families: new Set(g.map((r) => r.recordId)).size,
      firstCallAt: times[0]!,
      lastCallAt: times.at(-1)!,
      claimedToBe: [...new Set(reports.map((r) => r.claimedToBe))].slice(0, MAX_CLAIMS),
      callers: [...callers.values()].sort((a, b) => b.reports - a.reports || a.ref.localeCompare(b.ref)),
      knew: [...knew]
        .map(([field, n]) => ({ field, reports: n }))
        .sort((a, b) => b.reports - a.reports || a.field.localeCompare(b.field)),
      reportIds,
    };
  });
  return clusters.sort((a, b) => b.reports - a.reports || a.firstCallAt.localeCompare(b.firstCallAt));
}

/** A claim as compared: NFKC, no blanks or punctuation, lower case ("妇幼 保健院-摄影师" = "妇幼保健院摄影师"). */
export function normaliseClaim(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** A calling number as compared: its digits, a mainland country code (+86, 0086) dropped. */
export function normaliseCaller(text: string): string {
  const d = text.normalize('NFKC').replace(/\D/g, '');
  return /^(?:0086|86)1\d{10}$/.test(d) ? d.slice(d.length - 11) : d;
}

/** A number as investigators see it in a list: its first three and last four digits. */
export function maskCaller(digits: string): string {
  if (digits.length <= 7) return `${digits.slice(0, 2)}${'*'.repeat(Math.max(0, digits.length - 2))}`;
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}
