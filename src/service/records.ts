/**
 * Records: collect, read (masked, or named fields in clear for a purpose), search, update, erase —
 * each authorised by the policy and recorded in the ledger in the same transaction as its effect.
 *
 * What a refusal looks like: a record outside the principal's reach is ERR_NOT_FOUND; a reveal
 * without a purpose is ERR_PURPOSE_REQUIRED; a field the policy keeps masked for the purpose is
 * ERR_FORBIDDEN; sensitive fields need a justification; the guard may ask for one or block.
 */
import { performance } from 'node:perf_hooks';
import { TracevaultError, type RowError } from '../errors.ts';
import { purposeOf } from '../access/purposes.ts';
import type { FieldValue, IndexScope } from '../schema/field-kind.ts';
import { fieldDef, recordType, validateRecord } from '../schema/record-type.ts';
import { renderRecord } from '../disclose/render.ts';
import { API_MARKED_KINDS, markRow, PRINCIPAL_SCHEME } from '../disclose/marks.ts';
import type { AuditEvent } from '../store/audit.ts';
import { actorOf, entryOf, type RequestContext } from './context.ts';
import { commitRead } from './disclosures.ts';
import { dosesGivenInput, withVaccineCodes } from './doses.ts';
import type { Gate } from './gate.ts';
import { guardRead } from './guard.ts';
import { recordVersions, type RecordVersions } from './record-versions.ts';
import type { ServiceKeys } from './keys.ts';
import { notBefore } from './timing.ts';
import { isRestricted } from '../store/repos/requests.ts';
import { RESTRICTED_PURPOSE } from './requests.ts';

export interface ReadOptions {
  readonly purpose?: string;
  readonly reveal?: readonly string[];
  readonly justification?: string;
}

export interface RecordView {
  readonly id: string;
  readonly recordType: string;
  readonly organizationId: string | null;
  readonly createdAt: string;
  readonly fields: Record<string, FieldValue>;
  /** The fields returned in clear (the others are masked; absent ones hidden or empty). */
  readonly clear: string[];
  readonly purpose?: string;
  readonly disclosureId?: string;
}

export interface RecordOptions {
  /**
   * A search answers no sooner than this many milliseconds after it started (default 50), so that how
   * long it took does not tell whether hidden records matched (timing.ts).
   */
  readonly searchFloorMs?: number;
}

/** A justification counts from this many characters (after trimming). */
const MIN_JUSTIFICATION = 10;

export class Records {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #searchFloorMs: number;

  constructor(gate: Gate, keys: ServiceKeys, opts: RecordOptions = {}) {
    this.#gate = gate;
    this.#keys = keys;
    this.#searchFloorMs = opts.searchFloorMs ?? 50;
  }

  /** Collects one record for the principal's organisation. Returns its id and any validation warnings. */
  async collect(
    ctx: RequestContext,
    typeName: string,
    input: Record<string, unknown>,
  ): Promise<{ id: string; warnings: RowError[] }> {
    const [r] = await this.collectMany(ctx, typeName, [input]);
    return r!;
  }

  /** Collects several records: all valid and all stored, or none (errors name row, field and rule). */
  async collectMany(
    ctx: RequestContext,
    typeName: string,
    inputs: readonly Record<string, unknown>[],
  ): Promise<{ id: string; warnings: RowError[] }[]> {
    const gate = this.#gate;
    const registry = gate.vault.registry;
    const type = recordType(typeName);
    await gate.authorise(ctx, 'collect', { type: 'Record', recordType: type.name });
    const errors: RowError[] = [];
    const items: { id: string; values: ReadonlyMap<string, FieldValue>; warnings: RowError[] }[] = [];
    inputs.forEach((input, row) => {
      const v = validateRecord(type, input, { now: gate.now() });
      if (!v.ok) errors.push(...v.errors.map((e) => ({ ...e, row })));
      // Warnings, like errors, name the row (its index in the request), the field and the rule.
      else
        items.push({ id: registry.newRecordId(), values: v.record.values, warnings: withRow(v.record.warnings, row) });
    });
    if (errors.length > 0)
      throw new TracevaultError('ERR_INVALID_FIELD', { errors: errors.slice(0, 100), count: errors.length });
    const actor = actorOf(ctx, { decision: await gate.decision() });
    const records = items.map((i) => ({ id: i.id, values: i.values }));
    await gate.commit((tx, events) => registry.collectInto(tx, events, actor, type, records));
    return items.map((i) => ({ id: i.id, warnings: i.warnings }));
  }

  /** Reads a record: masked by default; with a purpose, the `reveal` fields in clear where the policy allows. */
  async read(ctx: RequestContext, recordId: string, opts: ReadOptions = {}): Promise<RecordView> {
    const gate = this.#gate;
    const wantsClear = (opts.reveal?.length ?? 0) > 0;
    const base = { ...entryOf(ctx), recordRef: gate.ref(recordId), action: wantsClear ? 'reveal' : 'read' } as const;
    const refuse = (event: Partial<AuditEvent>, error: TracevaultError) =>
      gate.refuse({ ...base, outcome: 'denied', ...event }, error);
    if (wantsClear && !opts.purpose) await refuse({}, new TracevaultError('ERR_PURPOSE_REQUIRED'));
    if (opts.purpose) {
      try {
        purposeOf(opts.purpose);
      } catch (e) {
        await refuse({}, e as TracevaultError);
      }
    }
    const purpose = opts.purpose;
    if (gate.guard.isBlocked(ctx.principal.id)) {
      await refuse({ purpose, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    }
    const policy = await gate.policy();
    const rec = await gate.load(recordId, { ...base, purpose });
    const type = recordType(rec.recordType);
    const standing = await gate.standing(ctx, rec, purpose);
    if (!policy.allows(ctx.principal, 'read', { type: 'Record', recordType: type.name }, standing)) {
      // Outside the principal's reach: the same answer as a record that does not exist.
      await refuse({ purpose, decision: `deny@${policy.version}` }, new TracevaultError('ERR_NOT_FOUND'));
    }
    // PIPL art. 44: while a guardian's restriction holds, only treatment may reveal (service/requests.ts).
    if (wantsClear && purpose !== RESTRICTED_PURPOSE && (await isRestricted(gate.vault.db, rec.seq))) {
      await refuse({ purpose, decision: 'restricted' }, new TracevaultError('ERR_RESTRICTED'));
    }
    const decisions = policy.fieldViews(ctx.principal, type, standing);
    const reveal = new Set<string>();
    for (const f of opts.reveal ?? []) {
      const def = fieldDef(type, f);
      if (!def) await refuse({ purpose }, new TracevaultError('ERR_UNKNOWN_FIELD', { field: f.slice(0, 64) }));
      reveal.add(def!.name);
    }
    const refused = [...reveal].filter((f) => !decisions.get(f)?.reveal);
    if (refused.length > 0) {
      await refuse(
        { purpose, fields: [...reveal], decision: `deny@${policy.version}` },
        new TracevaultError('ERR_FORBIDDEN', { fields: refused, purpose }),
      );
    }
    const justified = typeof opts.justification === 'string' && opts.justification.trim().length >= MIN_JUSTIFICATION;
    const sensitive = [...reveal].filter((f) => fieldDef(type, f)!.sensitivity === 'sensitive');
    if (sensitive.length > 0 && !justified) {
      await refuse(
        { purpose, fields: [...reveal] },
        new TracevaultError('ERR_JUSTIFICATION_REQUIRED', { fields: sensitive }),
      );
    }
    const rendered = renderRecord(type, rec.seq, rec.current, decisions, reveal);
    const marked = rendered.items.length > 0;
    await guardRead(gate, ctx, { base, purpose, rec, standing, clear: marked, justified });
    // The clear values carry the principal's reveal codeword (disclose/marks.ts).
    if (marked) {
      const clearRow = Object.fromEntries(rendered.clear.map((f) => [f, rendered.fields[f]!]));
      const key = this.#keys.reveal(ctx.principal.id);
      Object.assign(rendered.fields, markRow(type, clearRow, this.#keys.code, key, API_MARKED_KINDS));
    }
    const fields = rendered.clear.length ? rendered.clear : undefined;
    const disclosureId = await commitRead(gate, this.#keys, ctx, {
      event: { ...base, purpose, decision: `allow@${policy.version}`, fields, outcome: 'ok' },
      purpose,
      items: rendered.items,
      justification: opts.justification,
      fingerprint: marked ? PRINCIPAL_SCHEME : undefined,
    });
    return {
      id: rec.id,
      recordType: rec.recordType,
      organizationId: rec.orgId,
      createdAt: rec.createdAt,
      fields: rendered.fields,
      clear: rendered.clear,
      ...(purpose ? { purpose } : {}),
      ...(disclosureId ? { disclosureId } : {}),
    };
  }

  /** Every version of the fields the principal may view, masked, and who recorded each (record-versions.ts). */
  versions(ctx: RequestContext, recordId: string): Promise<RecordVersions> {
    return recordVersions(this.#gate, this.#keys, ctx, recordId);
  }

  /** Equality search through the blind indexes: the records the principal may read, masked. */
  async search(ctx: RequestContext, scope: IndexScope, value: string): Promise<RecordView[]> {
    const started = performance.now();
    const gate = this.#gate;
    const base = { ...entryOf(ctx), action: 'search' } as const;
    if (gate.guard.isBlocked(ctx.principal.id)) {
      await gate.refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    }
    const policy = await gate.policy();
    const out: RecordView[] = [];
    const events: AuditEvent[] = [];
    for (const rec of await gate.vault.registry.searchRecords(scope, value)) {
      const type = recordType(rec.recordType);
      const standing = await gate.standing(ctx, rec, undefined);
      if (!policy.allows(ctx.principal, 'read', { type: 'Record', recordType: type.name }, standing)) continue;
      const rendered = renderRecord(
        type,
        rec.seq,
        rec.current,
        policy.fieldViews(ctx.principal, type, standing),
        new Set(),
      );
      const read = { ...entryOf(ctx), action: 'read', recordRef: gate.ref(rec.id) } as const;
      await guardRead(gate, ctx, { base: read, purpose: undefined, rec, standing, clear: false, justified: false });
      events.push({ ...read, decision: `allow@${policy.version}`, outcome: 'ok' });
      out.push({
        id: rec.id,
        recordType: rec.recordType,
        organizationId: rec.orgId,
        createdAt: rec.createdAt,
        fields: rendered.fields,
        clear: [],
      });
    }
    await gate.commit(async (_tx, ev) => {
      ev.push({ ...base, outcome: 'ok', detail: { scope, results: out.length } }, ...events);
    });
    await notBefore(started, this.#searchFloorMs);
    return out;
  }

  /** New versions of some fields (a value equal to the current one makes none). Returns the fields changed. */
  async update(ctx: RequestContext, recordId: string, input: Record<string, unknown>): Promise<string[]> {
    return (await this.revise(ctx, recordId, input)).changed;
  }

  /** `update`, with the validation warnings of the new values (field and rule, never the value). */
  async revise(
    ctx: RequestContext,
    recordId: string,
    input: Record<string, unknown>,
  ): Promise<{ changed: string[]; warnings: RowError[] }> {
    const gate = this.#gate;
    const base = { ...entryOf(ctx), recordRef: gate.ref(recordId), action: 'update' } as const;
    const policy = await gate.policy();
    const rec = await gate.load(recordId, base);
    const resource = { type: 'Record', recordType: rec.recordType } as const;
    const standing = await gate.standing(ctx, rec, undefined);
    const denied = { ...base, decision: `deny@${policy.version}`, outcome: 'denied' } as const;
    if (!policy.allows(ctx.principal, 'read', resource, standing))
      await gate.refuse(denied, new TracevaultError('ERR_NOT_FOUND'));
    // Without the right to change the record, a vaccination nurse may still add doses given (doses.ts, ADR 0022).
    const fields = policy.allows(ctx.principal, 'update', resource, standing)
      ? { ...input, ...('vaccinations' in input && { vaccinations: withVaccineCodes(input.vaccinations) }) }
      : await dosesGivenInput(gate, ctx, rec, standing, input, denied);
    const v = validateRecord(recordType(rec.recordType), fields, { now: gate.now() }, true);
    if (!v.ok) throw new TracevaultError('ERR_INVALID_FIELD', { errors: v.errors });
    const actor = actorOf(ctx, { decision: `allow@${policy.version}` });
    const changed = await gate.committed(() => gate.vault.registry.update(actor, recordId, v.record.values));
    return { changed, warnings: [...v.record.warnings] };
  }

  /** Erasure on a data subject's request: the record's key is destroyed. */
  async erase(ctx: RequestContext, recordId: string, purpose: string | undefined): Promise<void> {
    const gate = this.#gate;
    const base = { ...entryOf(ctx), recordRef: gate.ref(recordId), action: 'erase', purpose } as const;
    const policy = await gate.policy();
    const rec = await gate.load(recordId, base);
    const standing = await gate.standing(ctx, rec, purpose);
    if (!policy.allows(ctx.principal, 'erase', { type: 'Record', recordType: rec.recordType }, standing)) {
      await gate.refuse(
        { ...base, decision: `deny@${policy.version}`, outcome: 'denied' },
        new TracevaultError('ERR_FORBIDDEN'),
      );
    }
    const actor = actorOf(ctx, { purpose, decision: `allow@${policy.version}` });
    await gate.committed(() => gate.vault.registry.erase(actor, recordId));
  }
}

function withRow(warnings: readonly RowError[], row: number): RowError[] {
  return warnings.map((w) => ({ row, field: w.field, rule: w.rule }));
}
