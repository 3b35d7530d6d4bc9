/**
 * Equality search through the blind index: a keyed digest of a value's normalised form
 * (seal-record.ts `indexForm`) names the records that held it in some version; whether a record
 * still holds it is checked on its decrypted current values.
 */
import type { TenantKeys } from '../crypto/keyring.ts';
import { KINDS, type IndexScope } from '../schema/field-kind.ts';
import { fieldDef, recordType } from '../schema/record-type.ts';
import { indexForm } from './seal-record.ts';
import type { Db } from './db.ts';
import type { FieldVersion } from './types.ts';

/** Record ids of the tenant whose blind index holds this normalised value (in any version). */
export async function blindCandidates(
  db: Db,
  keys: TenantKeys,
  tenantId: string,
  scope: IndexScope,
  wanted: string,
): Promise<string[]> {
  const rows = await db.all<{ id: string }>(
    `SELECT r.id FROM blind_index b JOIN records r ON r.seq = b.record_seq
       WHERE b.digest = ? AND r.tenant_id = ? AND r.erased_at IS NULL AND r.staged_by IS NULL
       ORDER BY r.seq LIMIT 1000`,
    [keys.blindIndex(scope, wanted), tenantId],
  );
  return rows.map((r) => r.id);
}

/**
 * Whether a record of this type still holds the normalised value `wanted` in a current value of a
 * field of this scope (the index covers every version).
 */
export function holdsCurrent(
  type: string,
  current: ReadonlyMap<string, FieldVersion>,
  scope: IndexScope,
  wanted: string,
): boolean {
  const def = recordType(type);
  return [...current.values()].some(
    (v) =>
      KINDS[fieldDef(def, v.field)!.kind].index === scope &&
      typeof v.value === 'string' &&
      indexForm(scope, v.value) === wanted,
  );
}
