/**
 * Reports of suspicious calls as a complaint set (issue 6): one leaked row per child a report is
 * about, holding the values of the fields the caller knew as the registry held them when the call
 * came (the version valid then), and `calledAt`, the time of the call, which bounds the leak's window
 * (trace/dating.ts). A field the guardian did not tick is absent from that row, not empty: it says
 * nothing of when the copy was taken. Pure: the values come from the caller (reports.ts); the table
 * never leaves the trace, whose report names ids only.
 */
import type { FieldValue } from '../../schema/field-kind.ts';
import { leakRow, type LeakRow } from '../../trace/leak-row.ts';
import type { LeakTable } from '../../trace/leak-table.ts';
import type { Target } from '../../trace/columns.ts';
import { COMPARED_FIELDS } from './reports-fields.ts';

export interface ComplaintInput {
  readonly calledAt: string;
  readonly knew: readonly string[];
  /** The child's field values valid when the call came. */
  readonly values: ReadonlyMap<string, FieldValue>;
}

function cell(v: FieldValue | undefined): string {
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

export function complaintTable(inputs: readonly ComplaintInput[]): LeakTable {
  const fields = [
    ...new Set(inputs.flatMap((r) => r.knew.filter((f) => COMPARED_FIELDS.has(f) && r.values.has(f)))),
  ].sort();
  const header: Target[] = [...(fields as Target[]), 'calledAt'];
  const rows: LeakRow[] = inputs.map((r, i) => {
    const cells = header.map((f) => (f === 'calledAt' ? r.calledAt : r.knew.includes(f) ? cell(r.values.get(f)) : ''));
    return { ...leakRow(i + 2, header, cells), empty: [] };
  });
  return { format: 'json', columns: header.map((h) => ({ header: h, target: h })), rows };
}
