/**
 * Record types (schemas). A registry is schema-driven: every field has a kind and a sensitivity
 * class, and those drive validation, masking, blind indexes and (later) fingerprinting.
 * `birth` is the default; `vehicle` shows the engine is not newborn-specific.
 */
import { TracevaultError, type RowError } from '../errors.ts';
import { KINDS, type FieldKind, type FieldValue, type Sensitivity, type ValidationContext } from './field-kind.ts';

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  readonly sensitivity: Sensitivity;
  readonly required?: boolean;
}

export interface RecordType {
  readonly name: string;
  readonly fields: readonly FieldDef[];
}

const f = (name: string, kind: FieldKind, sensitivity: Sensitivity, required = false): FieldDef =>
  Object.freeze({ name, kind, sensitivity, required });

export const BIRTH: RecordType = Object.freeze({
  name: 'birth',
  fields: Object.freeze([
    f('babyName', 'personName', 'personal', true),
    f('babySex', 'sex', 'personal', true),
    f('birthTime', 'dateTime', 'personal', true),
    f('babyResidentId', 'residentId', 'sensitive'),
    f('birthCertificateNo', 'code', 'sensitive'),
    f('hospital', 'text', 'public', true),
    f('ward', 'text', 'public'),
    f('bed', 'bed', 'personal'),
    f('motherName', 'personName', 'personal', true),
    f('motherResidentId', 'residentId', 'sensitive'),
    f('motherPhone', 'mobile', 'personal'),
    f('fatherName', 'personName', 'personal'),
    f('fatherResidentId', 'residentId', 'sensitive'),
    f('fatherPhone', 'mobile', 'personal'),
    f('address', 'address', 'sensitive'),
    f('dischargeTime', 'dateTime', 'personal'),
    f('vaccinations', 'vaccinations', 'sensitive'),
  ]),
});

export const VEHICLE: RecordType = Object.freeze({
  name: 'vehicle',
  fields: Object.freeze([
    f('ownerName', 'personName', 'personal', true),
    f('ownerResidentId', 'residentId', 'sensitive'),
    f('ownerPhone', 'mobile', 'personal'),
    f('address', 'address', 'sensitive'),
    f('plateNumber', 'plate', 'personal', true),
    f('brand', 'text', 'public'),
    f('registeredAt', 'date', 'personal'),
  ]),
});

export const RECORD_TYPES: ReadonlyMap<string, RecordType> = new Map([BIRTH, VEHICLE].map((t) => [t.name, t]));

export function recordType(name: string): RecordType {
  const t = RECORD_TYPES.get(name);
  if (!t) throw new TracevaultError('ERR_UNKNOWN_SCHEMA');
  return t;
}

/** Fields of public sensitivity in any record type (shown in clear, never recorded as disclosed). */
export const PUBLIC_FIELDS: ReadonlySet<string> = new Set(
  [...RECORD_TYPES.values()].flatMap((t) => t.fields.filter((f) => f.sensitivity === 'public').map((f) => f.name)),
);

const byName = new WeakMap<RecordType, Map<string, FieldDef>>();

export function fieldDef(type: RecordType, name: string): FieldDef | undefined {
  let m = byName.get(type);
  if (!m) byName.set(type, (m = new Map(type.fields.map((d) => [d.name, d]))));
  return m.get(name);
}

export interface ValidatedRecord {
  readonly values: ReadonlyMap<string, FieldValue>;
  readonly warnings: readonly RowError[];
}

export type ValidationResult = { ok: true; record: ValidatedRecord } | { ok: false; errors: RowError[] };

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/**
 * Validates input for a whole record (`partial` for an update: required fields may be absent).
 * Empty cells mean "no value". Errors name the field and the rule, never the value.
 */
export function validateRecord(
  type: RecordType,
  input: Readonly<Record<string, unknown>>,
  ctx: ValidationContext,
  partial = false,
): ValidationResult {
  const errors: RowError[] = [];
  const warnings: RowError[] = [];
  const values = new Map<string, FieldValue>();
  for (const key of Object.keys(input)) {
    if (!fieldDef(type, key)) errors.push({ field: key.slice(0, 64), rule: 'unknownField' });
  }
  for (const def of type.fields) {
    const raw = input[def.name];
    if (isEmpty(raw)) {
      if (def.required && !partial) errors.push({ field: def.name, rule: 'required' });
      continue;
    }
    const r = KINDS[def.kind].parse(raw, ctx);
    if (!r.ok) errors.push({ field: def.name, rule: r.rule });
    else {
      if (def.kind === 'vaccinations' && (r.value as unknown[]).length === 0) continue;
      values.set(def.name, r.value);
      for (const w of r.warnings) warnings.push({ field: def.name, rule: w });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, record: { values, warnings } };
}

/** A field's value as shown by default: public fields as they are, every other one masked. */
export function maskField(def: FieldDef, value: FieldValue): FieldValue {
  return def.sensitivity === 'public' ? value : KINDS[def.kind].mask(value);
}

/** Masks every non-public field of a record's values. */
export function maskRecord(type: RecordType, values: ReadonlyMap<string, FieldValue>): Map<string, FieldValue> {
  const out = new Map<string, FieldValue>();
  for (const [name, v] of values) {
    const def = fieldDef(type, name);
    if (def) out.set(name, maskField(def, v));
  }
  return out;
}
