/**
 * The rows of a vaccination clinic's due list, pure: for a child's current values and a window of
 * local dates, the doses of the national schedule (schema/vaccines.ts, the 2021 edition) due in the
 * window and those overdue before it; and a row of the due list's file, its columns in order.
 */
import type { FieldValue, Vaccination } from '../schema/field-kind.ts';
import { localDate } from '../schema/local-date.ts';
import { nextDue, vaccineZh } from '../schema/vaccines.ts';

/** The fields a due list shows of a record (and discloses in a run's file): ADR 0022. */
export const DUE_FIELDS: readonly string[] = Object.freeze([
  'babyName',
  'motherName',
  'motherPhone',
  'birthTime',
  'vaccinations',
]);

/**
 * The columns of a run's file. The given doses come before the due ones, so that a leaked copy's
 * `vaccinations` column is the list it was given (trace/leak-row.ts keeps a target's first column).
 */
export const DUE_COLUMNS: readonly string[] = Object.freeze([
  'babyName',
  'motherName',
  'motherPhone',
  'birthDate',
  'vaccinations',
  'dueVaccine',
  'dueVaccineName',
  'dueDose',
  'dueDate',
]);

/** A window of local (UTC+8) calendar dates, both inclusive. */
export interface DueWindow {
  readonly from: string;
  readonly to: string;
}

export interface DueDose {
  readonly vaccine: string;
  /** The vaccine's Chinese name (schema/vaccines.ts). */
  readonly name: string;
  readonly dose: number;
  readonly due: string;
}

export interface DueDoses {
  readonly birthDate: string;
  /** Doses due in the window, earliest first. */
  readonly due: DueDose[];
  /** Doses due before the window and not given (catch-up, 补种). */
  readonly overdue: DueDose[];
}

/** The child's birth date, a local date, from its birth time (undefined when it has none). */
export function birthDateOf(birthTime: FieldValue | undefined): string | undefined {
  if (typeof birthTime !== 'string') return undefined;
  const ms = Date.parse(birthTime);
  return Number.isNaN(ms) ? undefined : localDate(ms);
}

/** The doses due in `window` for a child's values; undefined when none is (or it has no birth time). */
export function dueDoses(
  values: Readonly<Record<string, FieldValue | undefined>>,
  window: DueWindow,
): DueDoses | undefined {
  const birthDate = birthDateOf(values.birthTime);
  if (!birthDate) return undefined;
  const given = Array.isArray(values.vaccinations) ? (values.vaccinations as readonly Vaccination[]) : [];
  const all = nextDue(birthDate, given).map((d) => ({ ...d, name: vaccineZh(d.vaccine) }));
  const due = all.filter((d) => d.due >= window.from && d.due <= window.to);
  if (due.length === 0) return undefined;
  return { birthDate, due, overdue: all.filter((d) => d.due < window.from) };
}

/**
 * A row of the file: the clear values (already marked for the run's disclosure), the birth date,
 * the given doses as their JSON, and the doses due in the window as parallel lists separated by
 * `;` (code, Chinese name, dose, date), so that one row stays one child.
 */
export function fileRow(
  marked: Readonly<Record<string, FieldValue>>,
  doses: DueDoses,
): Record<string, string | readonly Vaccination[]> {
  const out: Record<string, string | readonly Vaccination[]> = {};
  for (const f of ['babyName', 'motherName', 'motherPhone'] as const) {
    const v = marked[f];
    if (typeof v === 'string') out[f] = v;
  }
  out.birthDate = doses.birthDate;
  if (Array.isArray(marked.vaccinations)) out.vaccinations = marked.vaccinations as readonly Vaccination[];
  const list = (f: (d: DueDose) => string) => doses.due.map(f).join(';');
  out.dueVaccine = list((d) => d.vaccine);
  out.dueVaccineName = list((d) => d.name);
  out.dueDose = list((d) => String(d.dose));
  out.dueDate = list((d) => d.due);
  return out;
}
