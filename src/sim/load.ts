/**
 * Writes a synthetic city into a vault: one organisation per hospital with a records clerk who
 * collects its births, and every family's history as field versions back-dated to when they
 * happened. Each batch is one transaction; every value goes through the schema's validators, so a
 * generator bug fails loudly instead of storing bad data.
 */
import { TracevaultError } from '../errors.ts';
import type { FieldValue } from '../schema/field-kind.ts';
import { BIRTH, validateRecord } from '../schema/record-type.ts';
import type { NewRecord } from '../store/registry.ts';
import type { Principal, Vault } from '../store/vault.ts';
import { createOrganisation, createPrincipal } from '../service/directory.ts';
import { generateCity, type CityOptions, type SimChange } from '../synth/city.ts';

export interface LoadResult {
  readonly families: number;
  readonly created: number;
  readonly hospitals: readonly { name: string; orgId: string; clerkId: string }[];
}

export async function loadCity(
  vault: Vault,
  actor: Principal,
  opts: CityOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<LoadResult> {
  const city = generateCity(opts);
  const hospitals: { name: string; orgId: string; clerkId: string }[] = [];
  for (const h of city.hospitals) {
    const orgId = await createOrganisation(vault, actor, { name: h.name, kind: 'hospital', region: h.district.code });
    const clerk = await createPrincipal(vault, actor, {
      displayName: `${h.name} records clerk`,
      roles: ['records_clerk'],
      orgId,
    });
    hospitals.push({ name: h.name, orgId, clerkId: clerk.id });
  }
  const now = new Date(Date.parse(city.until) + 86_400_000);
  const check = (c: SimChange): ReadonlyMap<string, FieldValue> => {
    const r = validateRecord(BIRTH, c.values, { now }, true);
    if (!r.ok) throw new TracevaultError('ERR_INVALID_FIELD', { field: r.errors[0]!.field, rule: r.errors[0]!.rule });
    return r.record.values;
  };
  const toIso = (local: string) => new Date(local).toISOString();
  let created = 0,
    done = 0;
  let batch: { hospital: number; item: NewRecord }[] = [];
  const flush = async () => {
    // One transaction a batch; records of one hospital are collected by its clerk.
    await vault.registry.audited(async (tx, events) => {
      for (const [h, items] of groupBy(batch, (b) => b.hospital)) {
        const clerk = { id: hospitals[h]!.clerkId, orgId: hospitals[h]!.orgId };
        created += (
          await vault.registry.collectInto(
            tx,
            events,
            clerk,
            BIRTH,
            items.map((b) => b.item),
          )
        ).created.length;
      }
    });
    done += batch.length;
    batch = [];
    onProgress?.(done, opts.families);
  };
  for (const f of city.families()) {
    const values = check(f.initial);
    const h = hospitals[f.hospital]!;
    batch.push({
      hospital: f.hospital,
      item: {
        id: vault.registry.contentId(BIRTH, values),
        values,
        validFrom: toIso(f.initial.values.birthTime as string),
        recordedAt: toIso(f.initial.at),
        orgId: h.orgId,
        later: f.later.map((c) => ({ validFrom: toIso(c.at), values: check(c), by: h.clerkId })),
      },
    });
    if (batch.length >= 1000) await flush();
  }
  if (batch.length > 0) await flush();
  return { families: opts.families, created, hospitals };
}

function groupBy<T>(items: readonly T[], key: (t: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const it of items) {
    const k = key(it);
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(it);
  }
  return m;
}
