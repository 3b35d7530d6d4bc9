/**
 * Aggregates: counts of records by one dimension with small-cell suppression (never a row). The
 * counts of a (record type, dimension) are cached until a record is published, changed or erased.
 */
import { TracevaultError } from '../errors.ts';
import { splitAddress } from '../schema/address.ts';
import { recordType, type RecordType } from '../schema/record-type.ts';
import { RecordLists } from '../store/repos/record-lists.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';

export const STATS_DIMENSIONS = ['hospital', 'birthYear', 'birthMonth', 'babySex', 'district'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];
/** Cells counting fewer records are suppressed (small-cell suppression). */
export const MIN_CELL = 10;
const PAGE = 2000;

export interface StatsCell {
  value: string;
  count: number | null;
  suppressed: boolean;
}

export interface StatsResult {
  readonly groupBy: StatsDimension;
  readonly recordType: string;
  readonly minCell: number;
  readonly total: number | null;
  readonly cells: StatsCell[];
}

/**
 * Small-cell suppression: a cell under `minCell` is withheld, and when only one cell would be
 * withheld the next smallest is too (so the total cannot give it away); a total under `minCell`
 * is withheld as well. Cells come sorted by value.
 */
export function suppress(
  counts: ReadonlyMap<string, number>,
  minCell = MIN_CELL,
): { total: number | null; cells: StatsCell[] } {
  const cells = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, count]): StatsCell => ({ value, count, suppressed: count < minCell }));
  if (cells.filter((c) => c.suppressed).length === 1) {
    const next = cells.filter((c) => !c.suppressed).sort((a, b) => a.count! - b.count!)[0];
    if (next) next.suppressed = true;
  }
  for (const c of cells) if (c.suppressed) c.count = null;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return { total: total < minCell ? null : total, cells };
}

export class Stats {
  readonly #gate: Gate;
  readonly #records: RecordLists;
  readonly #cache = new Map<string, { key: string; value: StatsResult }>();

  constructor(gate: Gate) {
    this.#gate = gate;
    this.#records = new RecordLists(gate.vault.db, gate.vault.tenantId);
    gate.onPolicyChange(() => this.#cache.clear());
  }

  async count(ctx: RequestContext, by: string, typeName = 'birth'): Promise<StatsResult> {
    if (!(STATS_DIMENSIONS as readonly string[]).includes(by)) {
      throw new TracevaultError('ERR_INVALID_FIELD', { field: 'groupBy', rule: 'dimension' });
    }
    const dim = by as StatsDimension;
    const type = recordType(typeName);
    await this.#gate.authorise(ctx, 'aggregate', { type: 'Api', area: 'stats' });
    const key = await this.#records.versionKey(type.name);
    let result = this.#cache.get(`${type.name}|${dim}`);
    if (result?.key !== key) {
      result = { key, value: await this.#compute(type, dim) };
      this.#cache.set(`${type.name}|${dim}`, result);
    }
    const cells = result.value.cells.length;
    await this.#gate.commit(async (_tx, events) => {
      events.push({
        ...entryOf(ctx),
        action: 'aggregate',
        outcome: 'ok',
        detail: { groupBy: dim, recordType: type.name, cells },
      });
    });
    return result.value;
  }

  async #compute(type: RecordType, dim: StatsDimension): Promise<StatsResult> {
    const counts = new Map<string, number>();
    const orgNames = dim === 'hospital' ? await this.#records.organisationNames() : new Map<string, string>();
    for (let after = 0; ; ) {
      const page = await this.#records.page(type.name, after, PAGE);
      for (const r of page) {
        const cell =
          dim === 'hospital' ? ((r.orgId && orgNames.get(r.orgId)) ?? 'unknown') : await this.#cellOf(r.id, dim);
        counts.set(cell, (counts.get(cell) ?? 0) + 1);
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.seq;
    }
    return { groupBy: dim, recordType: type.name, minCell: MIN_CELL, ...suppress(counts) };
  }

  async #cellOf(recordId: string, dim: Exclude<StatsDimension, 'hospital'>): Promise<string> {
    const rec = await this.#gate.vault.registry.get(recordId);
    const v = (f: string) => rec.current.get(f)?.value;
    const birth = v('birthTime');
    const sex = v('babySex');
    const address = v('address');
    switch (dim) {
      case 'babySex':
        return typeof sex === 'string' ? sex : 'unknown';
      case 'birthYear':
      case 'birthMonth':
        return typeof birth === 'string' ? birth.slice(0, dim === 'birthYear' ? 4 : 7) : 'unknown';
      case 'district':
        return (typeof address === 'string' && splitAddress(address).district) || 'unknown';
    }
  }
}
