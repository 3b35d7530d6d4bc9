/**
 * The registry's counts that a trace's models take as background: its size and the frequency of
 * the leak's names (linkage), records by organisation and month (the strata of "elsewhere"), and
 * the records created after a time (the window's absence evidence).
 */
import type { Registry } from '../store/registry.ts';
import { indexForm } from '../store/seal-record.ts';
import type { LeakRow } from './leak-row.ts';
import type { FrequencyCounts } from './linker.ts';
import { chunks, qs } from './paging.ts';

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
export async function frequencyCounts(reg: Registry, rows: readonly LeakRow[]): Promise<FrequencyCounts> {
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

// The organisations below are those of records already read for this tenant, so the queries name
// no tenant: with one, SQLite's planner scans the tenant's index instead of records_org.
export async function strataSizes(reg: Registry, orgs: readonly (string | null)[]): Promise<Map<string, number>> {
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
export async function creations(
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
