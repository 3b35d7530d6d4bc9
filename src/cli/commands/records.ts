import { maskField, maskRecord, fieldDef, recordType } from '../../schema/record-type.ts';
import type { FieldValue } from '../../schema/field-kind.ts';
import type { StoredRecord } from '../../store/registry.ts';
import { TracevaultError } from '../../errors.ts';
import { isWellFormedId } from '../../crypto/ids.ts';
import type { IndexScope } from '../../schema/field-kind.ts';
import { withVault, type VaultOptions } from '../context.ts';
import { json, out } from '../output.ts';

function show(v: FieldValue): string {
  return typeof v === 'string' ? v : v.map((x) => `${x.vaccine}-${x.dose} ${x.date}`).join(', ');
}

/** Masked by default: clear values leave the vault only through a disclosure (the access layer). */
export async function getCommand(
  id: string,
  opts: VaultOptions & { history?: boolean; json?: boolean },
): Promise<void> {
  if (!isWellFormedId(id)) throw new TracevaultError('ERR_NOT_FOUND');
  await withVault(opts, async (vault, me) => {
    const rec: StoredRecord = await vault.registry.audited(async (tx, events) => {
      const r = await vault.registry.get(id, { history: opts.history, db: tx });
      events.push({
        action: 'read',
        principalId: me.id,
        recordRef: vault.registry.recordRef(id),
        fields: [...r.current.keys()],
        outcome: 'ok',
        detail: { masked: true },
      });
      return r;
    });
    const type = recordType(rec.recordType);
    const masked = maskRecord(type, new Map([...rec.current].map(([f, v]) => [f, v.value])));
    const maskOne = (field: string, v: FieldValue) => maskField(fieldDef(type, field)!, v);
    if (opts.json) {
      return json({
        id: rec.id,
        recordType: rec.recordType,
        createdAt: rec.createdAt,
        createdBy: rec.createdBy,
        masked: true,
        fields: Object.fromEntries(
          [...rec.current].map(([f, v]) => [
            f,
            { value: masked.get(f), version: v.version, validFrom: v.validFrom, recordedBy: v.recordedBy },
          ]),
        ),
        ...(rec.history ? { history: rec.history.map((v) => ({ ...v, value: maskOne(v.field, v.value) })) } : {}),
      });
    }
    out(`record ${rec.id} (${rec.recordType}), created ${rec.createdAt} by ${rec.createdBy}; values masked`);
    for (const def of type.fields) {
      const v = rec.current.get(def.name);
      if (v)
        out(`  ${def.name.padEnd(20)} ${show(masked.get(def.name)!).padEnd(30)} v${v.version} since ${v.validFrom}`);
    }
    if (rec.history) {
      out('history:');
      for (const v of rec.history)
        out(
          `  ${v.field.padEnd(20)} v${v.version} [${v.validFrom}, ${v.validTo ?? '…'}) ` +
            `${show(maskOne(v.field, v.value))} by ${v.recordedBy}`,
        );
    }
  });
}

export async function searchCommand(
  opts: VaultOptions & { phone?: string; residentId?: string; name?: string; plate?: string; anyVersion?: boolean },
): Promise<void> {
  const given = (['phone', 'residentId', 'name', 'plate'] as const).filter((k) => opts[k] !== undefined);
  if (given.length !== 1)
    throw new TracevaultError('ERR_BAD_REQUEST', { rule: 'oneOf:--phone,--resident-id,--name,--plate' });
  const scope: IndexScope = given[0]!;
  await withVault(opts, async (vault, me) => {
    const ids = await vault.registry.search(scope, opts[scope]!, { anyVersion: opts.anyVersion });
    await vault.registry.audited(async (_tx, events) => {
      events.push({ action: 'read', principalId: me.id, outcome: 'ok', detail: { search: scope, hits: ids.length } });
    });
    for (const id of ids) out(id);
    if (ids.length === 0) out('no records');
  });
}
