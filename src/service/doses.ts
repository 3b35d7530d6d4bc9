/**
 * Doses given (issue 22, ADR 0022): a vaccination nurse records a vaccination, so that the next due
 * list is right. The vaccinations field only, and only by adding: a dose already recorded stays as
 * it is (same vaccine and dose number), so a nurse of the child's district who may not otherwise
 * change another organisation's record (ADR 0009) can neither rewrite nor remove its history. A
 * vaccine is written as its code or any name schema/vaccines.ts knows (乙肝疫苗, 乙肝), stored as
 * its code.
 */
import { TracevaultError } from '../errors.ts';
import type { PolicyEngine } from '../access/policy.ts';
import type { Vaccination } from '../schema/field-kind.ts';
import { validateRecord, recordType } from '../schema/record-type.ts';
import { vaccineByName } from '../schema/vaccines.ts';
import type { AuditEvent } from '../store/audit.ts';
import type { StoredRecord } from '../store/registry.ts';
import { actorOf, entryOf, type RequestContext } from './context.ts';
import type { Gate, Standing } from './gate.ts';

/** The purpose of a dose given. */
const DOSE_PURPOSE = 'vaccination';

/** A list of doses with each vaccine written as its stored code where schema/vaccines.ts knows the name. */
export function withVaccineCodes(input: unknown): unknown {
  if (!Array.isArray(input)) return input;
  return input.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) return item;
    const v = (item as { vaccine?: unknown }).vaccine;
    const code = typeof v === 'string' ? vaccineByName(v)?.code : undefined;
    return code ? { ...item, vaccine: code } : item;
  });
}

/**
 * The current doses with `added` appended where not already recorded (same vaccine and dose); an
 * added dose without a clinic was given at `clinic` (the nurse's organisation).
 */
export function addDoses(current: readonly Vaccination[], added: readonly unknown[], clinic?: string): unknown[] {
  const have = new Set(current.map((d) => `${d.vaccine}\u0000${d.dose}`));
  const out: unknown[] = [...current];
  for (let item of withVaccineCodes(added) as unknown[]) {
    if (clinic && typeof item === 'object' && item !== null && !('clinic' in item)) item = { ...item, clinic };
    const d = item as { vaccine?: unknown; dose?: unknown };
    const key = `${String(d?.vaccine)}\u0000${String(d?.dose)}`;
    if (have.has(key)) continue;
    out.push(item);
    have.add(key);
  }
  return out;
}

/** Whether the policy lets this principal record a dose given on a record of this standing. */
export function mayRecordDose(policy: PolicyEngine, ctx: RequestContext, rec: StoredRecord, standing: Standing) {
  return policy.allows(
    ctx.principal,
    'record_dose',
    { type: 'Record', recordType: rec.recordType },
    { ...standing, purpose: DOSE_PURPOSE },
  );
}

/**
 * The fields a PATCH by a principal who may not change the record writes: doses added to its
 * vaccinations, when it may record a dose given; else a refusal (a ledger entry) as before.
 */
export async function dosesGivenInput(
  gate: Gate,
  ctx: RequestContext,
  rec: StoredRecord,
  standing: Standing,
  input: Readonly<Record<string, unknown>>,
  denied: AuditEvent,
): Promise<Record<string, unknown>> {
  const policy = await gate.policy();
  const keys = Object.keys(input);
  const only = keys.length === 1 && keys[0] === 'vaccinations' && Array.isArray(input.vaccinations);
  if (!only || !mayRecordDose(policy, ctx, rec, standing)) {
    await gate.refuse(denied, new TracevaultError('ERR_FORBIDDEN'));
  }
  const current = (rec.current.get('vaccinations')?.value ?? []) as readonly Vaccination[];
  return { vaccinations: addDoses(current, input.vaccinations as unknown[], await clinicOf(gate, ctx)) };
}

export interface DoseGiven {
  readonly vaccine: string;
  readonly dose: number;
  readonly date: string;
  readonly clinic?: string;
}

/**
 * `POST /v1/records/{id}/doses`: one dose given, added to the record's vaccinations by a principal who
 * may change the record or record a dose on it. Returns whether the list changed (a dose already
 * recorded changes nothing) and the fields changed.
 */
export async function addDoseGiven(
  gate: Gate,
  ctx: RequestContext,
  recordId: string,
  dose: DoseGiven,
): Promise<{ changed: string[] }> {
  const base = { ...entryOf(ctx), recordRef: gate.ref(recordId), action: 'update', purpose: DOSE_PURPOSE } as const;
  const policy = await gate.policy();
  const rec = await gate.load(recordId, base);
  const resource = { type: 'Record', recordType: rec.recordType } as const;
  const standing = await gate.standing(ctx, rec, DOSE_PURPOSE);
  const denied = { ...base, decision: `deny@${policy.version}`, outcome: 'denied' } as const;
  if (!policy.allows(ctx.principal, 'read', resource, standing))
    await gate.refuse(denied, new TracevaultError('ERR_NOT_FOUND'));
  if (!policy.allows(ctx.principal, 'update', resource, standing) && !mayRecordDose(policy, ctx, rec, standing))
    await gate.refuse(denied, new TracevaultError('ERR_FORBIDDEN'));
  const current = (rec.current.get('vaccinations')?.value ?? []) as readonly Vaccination[];
  const v = validateRecord(
    recordType(rec.recordType),
    { vaccinations: addDoses(current, [dose], await clinicOf(gate, ctx)) },
    { now: gate.now() },
    true,
  );
  if (!v.ok) throw new TracevaultError('ERR_INVALID_FIELD', { errors: v.errors });
  const actor = actorOf(ctx, { purpose: DOSE_PURPOSE, decision: `allow@${policy.version}` });
  const changed = await gate.committed(() => gate.vault.registry.update(actor, recordId, v.record.values));
  return { changed };
}

/** The name of the principal's organisation, where a dose it records was given unless it says. */
async function clinicOf(gate: Gate, ctx: RequestContext): Promise<string | undefined> {
  return ctx.principal.orgId ? (await gate.vault.organisation(ctx.principal.orgId))?.name : undefined;
}
