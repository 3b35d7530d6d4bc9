/**
 * A record's version history for staff (the console's record card): every version of each field
 * the principal may view, masked as in a read — never in clear, which only a reveal with a purpose
 * gives — with when it held, when it was recorded and by whom (name, roles, organisation). Reading
 * it is a masked read of the record: refused and recorded exactly as one, counted by the guard, and
 * in the family's access history.
 */
import { TracevaultError } from '../errors.ts';
import { forPeople } from '../disclose/render.ts';
import type { FieldValue } from '../schema/field-kind.ts';
import { maskField, recordType } from '../schema/record-type.ts';
import { whoIsWho, type ReportPerson } from '../trace/people.ts';
import { entryOf, type RequestContext } from './context.ts';
import { commitRead } from './disclosures.ts';
import type { Gate } from './gate.ts';
import { guardRead } from './guard.ts';
import type { ServiceKeys } from './keys.ts';

export interface VersionView {
  readonly field: string;
  readonly version: number;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly recordedAt: string;
  readonly recordedBy: string;
  /** Masked (schema/mask.ts), as a read shows it. */
  readonly value: FieldValue;
}

export interface RecordVersions {
  readonly id: string;
  readonly recordType: string;
  /** Oldest first, by recording time, then field order. */
  readonly versions: VersionView[];
  /** Who recorded them, by principal id. */
  readonly people: Record<string, ReportPerson>;
}

export async function recordVersions(
  gate: Gate,
  keys: ServiceKeys,
  ctx: RequestContext,
  recordId: string,
): Promise<RecordVersions> {
  const base = { ...entryOf(ctx), recordRef: gate.ref(recordId), action: 'read' } as const;
  if (gate.guard.isBlocked(ctx.principal.id)) {
    await gate.refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
  }
  const policy = await gate.policy();
  await gate.load(recordId, base);
  const rec = await gate.vault.registry.get(recordId, { history: true });
  const type = recordType(rec.recordType);
  const standing = await gate.standing(ctx, rec, undefined);
  if (!policy.allows(ctx.principal, 'read', { type: 'Record', recordType: type.name }, standing)) {
    await gate.refuse({ ...base, decision: `deny@${policy.version}` }, new TracevaultError('ERR_NOT_FOUND'));
  }
  const decisions = policy.fieldViews(ctx.principal, type, standing);
  const order = new Map(type.fields.map((f, i) => [f.name, i]));
  const versions: VersionView[] = [];
  for (const v of rec.history ?? []) {
    const def = type.fields.find((f) => f.name === v.field);
    if (!def || !decisions.get(def.name)?.view) continue;
    const { field, version, validFrom, validTo, recordedAt, recordedBy } = v;
    versions.push({
      field,
      version,
      validFrom,
      validTo,
      recordedAt,
      recordedBy,
      value: forPeople(def, maskField(def, v.value)),
    });
  }
  versions.sort(
    (a, b) =>
      a.recordedAt.localeCompare(b.recordedAt) || order.get(a.field)! - order.get(b.field)! || a.version - b.version,
  );
  await guardRead(gate, ctx, { base, purpose: undefined, rec, standing, clear: false, justified: false });
  await commitRead(gate, keys, ctx, {
    event: { ...base, decision: `allow@${policy.version}`, outcome: 'ok' },
    purpose: undefined,
    items: [],
  });
  const ids = [...new Set(versions.map((v) => v.recordedBy))];
  const { people } = await whoIsWho(gate.vault.db, gate.vault.tenantId, ids, []);
  return { id: rec.id, recordType: rec.recordType, versions, people };
}
