/**
 * What a recipient sees of a record: each field in clear, masked or not at all, as the policy
 * decided, and the list of clear field versions that must be recorded as the disclosure.
 */
import type { FieldValue, Vaccination } from '../schema/field-kind.ts';
import { maskField, type FieldDef, type RecordType } from '../schema/record-type.ts';
import { withVaccineNames } from '../schema/vaccines.ts';
import type { FieldVersion } from '../store/types.ts';
import type { DisclosedItem } from './disclosure.ts';

export interface FieldDecision {
  readonly view: boolean;
  readonly reveal: boolean;
}

export interface Rendered {
  readonly fields: Record<string, FieldValue>;
  readonly clear: string[];
  readonly items: DisclosedItem[];
}

/** Renders the current values; `reveal` are the fields asked for in clear (already allowed). */
export function renderRecord(
  type: RecordType,
  recordSeq: number,
  current: ReadonlyMap<string, FieldVersion>,
  decisions: ReadonlyMap<string, FieldDecision>,
  reveal: ReadonlySet<string>,
): Rendered {
  const fields: Record<string, FieldValue> = {};
  const clear: string[] = [];
  const items: DisclosedItem[] = [];
  for (const def of type.fields) {
    const v = current.get(def.name);
    const d = decisions.get(def.name);
    if (!v || !d) continue;
    if (reveal.has(def.name) && d.reveal) {
      fields[def.name] = forPeople(def, v.value);
      clear.push(def.name);
      if (def.sensitivity !== 'public') items.push({ recordSeq, field: def.name, version: v.version });
    } else if (d.view) {
      fields[def.name] = forPeople(def, maskField(def, v.value));
    }
  }
  return { fields, clear, items };
}

/** Vaccinations carry each vaccine's Chinese name beside its stored code (schema/vaccines.ts). */
export function forPeople(def: FieldDef, value: FieldValue): FieldValue {
  return def.kind === 'vaccinations' && Array.isArray(value)
    ? withVaccineNames(value as readonly Vaccination[])
    : value;
}
