/**
 * Aggregates: counts of records by one dimension (never a row), protected against differencing
 * (docs/adr/0011-statistics-that-cannot-be-differenced.md). Each count is randomly rounded to a multiple
 * of five by its cell key, small cells are withheld with a complement, and the total is the sum of the
 * rounded counts. The counts of a (record type, dimension) are cached until a record is published,
 * changed or erased.
 */
import { TracevaultError } from '../errors.ts';
import type { Hmac } from '../crypto/hmac.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import { splitAddress } from '../schema/address.ts';
import { recordType, type RecordType } from '../schema/record-type.ts';
import { RecordLists } from '../store/repos/record-lists.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';

export const STATS_DIMENSIONS = ['hospital', 'birthYear', 'birthMonth', 'babySex', 'district'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];
/** A published cell counts at least this many records (small-cell suppression). */
export const MIN_CELL = 10;
/** Published counts are multiples of this (random rounding, base 5 as the ONS and the ABS publish). */
export const ROUNDING_BASE = 5;
const PAGE = 2000;
const KEY_SPACE = 2 ** 32;

export interface StatsCell {
  value: string;
  count: number | null;
  suppressed: boolean;
}

export interface StatsResult {
  readonly groupBy: StatsDimension;
  readonly recordType: string;
  readonly minCell: number;
  /** Every published count (cells and total) is a multiple of it, within `roundingBase - 1` of the truth. */
  readonly roundingBase: number;
  readonly total: number | null;
  readonly cells: StatsCell[];
}

/**
 * Unbiased random rounding (Hundepool et al., Statistical Disclosure Control, Wiley 2012, ch. 5,
 * frequency tables; §5.5 of its online edition, the ESSnet Handbook on SDC): with r = count mod
 * base, up to the next multiple with probability r / base, else down, so the expected value is the
 * count. The draw is the cell key, in [0, 1): the ABS cell key method (Fraser & Wooton 2005, "A
 * proposed method for confidentialising tabular output to protect against differencing"; Thompson,
 * Broadfoot & Elazar 2013; the Handbook's §5.4) makes it the sum of the cell's record keys modulo 1,
 * so the same records always give the same answer (asking again averages nothing out) while one
 * record more or less gives an independent draw.
 */
export function roundByKey(count: number, key: number, base = ROUNDING_BASE): number {
  const r = count % base;
  return count - r + (key * base < r ? base : 0);
}

/**
 * Small-cell suppression over rounded counts, so that what is withheld depends on the published
 * values alone. A rounded count q proves at least q - (base - 1) records, so a cell is shown only
 * when q >= minCell + base - 1 (every shown cell counts at least `minCell` records, and the point
 * where a cell appears no longer pins its count, as a threshold on the true count would: 9 withheld,
 * then 10 shown). A lone withheld cell takes the shown cell of the smallest rounded count (the first
 * by value) with it: complementary suppression (Hundepool et al. 2012, ch. 5). The total is the sum
 * of every rounded count, withheld ones included: consistent with the cells, and holding nothing of
 * the true total that the cells do not (an independently rounded true total would bound the withheld
 * cells from both sides). Cells come sorted by value.
 */
export function suppress(
  rounded: ReadonlyMap<string, number>,
  minCell = MIN_CELL,
  base = ROUNDING_BASE,
): { total: number | null; cells: StatsCell[] } {
  const shownFrom = minCell + base - 1;
  const cells = [...rounded]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, count]): StatsCell => ({ value, count, suppressed: count < shownFrom }));
  if (cells.filter((c) => c.suppressed).length === 1) {
    const next = cells.filter((c) => !c.suppressed).sort((a, b) => a.count! - b.count!)[0];
    if (next) next.suppressed = true;
  }
  for (const c of cells) if (c.suppressed) c.count = null;
  const total = [...rounded.values()].reduce((a, b) => a + b, 0);
  return { total: total < shownFrom ? null : total, cells };
}

function keyed(suite: CipherSuite, key: Buffer): Hmac {
  const mac = suite.mac(key);
  key.fill(0);
  return mac;
}

export class Stats {
  readonly #gate: Gate;
  readonly #records: RecordLists;
  readonly #cache = new Map<string, { key: string; value: StatsResult }>();
  #recordKeys: Hmac | undefined;

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
    // A record's key: 32 bits of a keyed hash of its id, under a key derived from the tenant's index
    // key (secret: whoever knew the record keys could undo the rounding). A cell's key is their sum.
    const keys = this.#gate.vault.keys;
    const recordKeys = (this.#recordKeys ??= keyed(keys.suite, keys.keyedId('stats-record-key', 'v1')));
    const counts = new Map<string, { count: number; key: number }>();
    const orgNames = dim === 'hospital' ? await this.#records.organisationNames() : new Map<string, string>();
    for (let after = 0; ; ) {
      const page = await this.#records.page(type.name, after, PAGE);
      for (const r of page) {
        const cell =
          dim === 'hospital' ? ((r.orgId && orgNames.get(r.orgId)) ?? 'unknown') : await this.#cellOf(r.id, dim);
        const c = counts.get(cell) ?? { count: 0, key: 0 };
        c.count += 1;
        c.key = (c.key + recordKeys.digest(r.id).readUInt32BE(0)) % KEY_SPACE;
        counts.set(cell, c);
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.seq;
    }
    const rounded = new Map([...counts].map(([v, c]) => [v, roundByKey(c.count, c.key / KEY_SPACE)] as const));
    return {
      groupBy: dim,
      recordType: type.name,
      minCell: MIN_CELL,
      roundingBase: ROUNDING_BASE,
      ...suppress(rounded),
    };
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
