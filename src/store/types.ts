/**
 * Shapes shared by the store's modules and their callers. A leaf: it imports nothing from store/,
 * so that registry.ts, seal-record.ts and open-record.ts can all name a field version without
 * importing one another in a circle.
 */
import type { FieldValue } from '../schema/field-kind.ts';

/**
 * One version of one field: its value, the interval it was true [validFrom, validTo), when and by whom it was
 * recorded.
 */
export interface FieldVersion {
  readonly field: string;
  readonly version: number;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly recordedAt: string;
  readonly recordedBy: string;
  readonly value: FieldValue;
}
