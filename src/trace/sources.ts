/**
 * Disclosures read back for a trace: those that gave the linked records (the evidence's sources),
 * and the records in the accused source's disclosures (who else is affected).
 */
import type { Registry } from '../store/registry.ts';
import type { DisclosureSummary, RowEvidence, SourceInput, Verdict } from './evidence.ts';
import { chunks, qs } from './paging.ts';

/** The disclosures that gave any of `seqs`, grouped by principal, with each principal's total. */
export async function sources(reg: Registry, seqs: readonly number[]): Promise<SourceInput[]> {
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

/**
 * The records in the accused source's disclosures that gave linked records, other than those the leak matched
 * (`direct`), sorted; and when its accused disclosure was made.
 */
export async function affectedViaSource(
  reg: Registry,
  srcs: readonly SourceInput[],
  evidenceRows: readonly RowEvidence[],
  accused: Verdict['accused'],
  direct: readonly string[],
): Promise<{ viaSource: string[]; disclosedAt: string | null }> {
  let viaSource: string[] = [];
  let disclosedAt: string | null = null;
  const accusedSource = accused ? srcs.find((s) => s.principalId === accused.principalId) : undefined;
  if (accused && accusedSource) {
    const ids = accusedSource.disclosures.filter((d) => evidenceRows.some((r) => d.items.has(r.seq))).map((d) => d.id);
    disclosedAt = accusedSource.disclosures.find((d) => d.id === accused.disclosureId)?.at ?? null;
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
  return { viaSource, disclosedAt };
}
