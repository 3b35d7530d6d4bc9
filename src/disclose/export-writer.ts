/**
 * Export files: CSV (UTF-8 with BOM, which Excel needs for Chinese text), XLSX and JSON Lines.
 * Spreadsheet cells that start with = + - @ (or a tab or carriage return) would run as formulas
 * when opened (CWE-1236, OWASP "CSV Injection"): they are prefixed with a single quote.
 */
import type { FieldValue } from '../schema/field-kind.ts';

export type ExportFormat = 'csv' | 'xlsx' | 'jsonl';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'xlsx', 'jsonl'];

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  jsonl: 'application/jsonl; charset=utf-8',
};

export type ExportRow = Readonly<Record<string, FieldValue | undefined>>;

/**
 * OWASP "CSV Injection": it is not enough that a cell does not start with = + - @, a tab or a
 * carriage return: a field separator or a quote in front of one (`;=HYPERLINK(…)`, `,=1+1`) starts
 * a new cell in a spreadsheet that splits on another separator than ours (semicolons, in locales
 * whose decimal mark is a comma) or trims what it reads. Such a prefix of separators, quotes and
 * blanks before a formula character counts as the start of a formula too.
 */
const FORMULA = /^[=+\-@\t\r\n]|^[\s,;"']+[=+\-@]/;

export function neutralise(cell: string): string {
  return FORMULA.test(cell) ? `'${cell}` : cell;
}

function text(v: FieldValue | undefined): string {
  if (v === undefined) return '';
  return neutralise(typeof v === 'string' ? v : JSON.stringify(v));
}

/**
 * RFC 4180 §2.6-2.7 quoting, and also of cells holding a semicolon or a tab: a spreadsheet that
 * splits on those honours the quotes, so no part of the cell becomes a cell of its own.
 */
function csvCell(s: string): string {
  return /[",;\t\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export async function writeExport(
  format: ExportFormat,
  columns: readonly string[],
  rows: readonly ExportRow[],
): Promise<Buffer> {
  if (format === 'jsonl') {
    // Neutralised here too: JSON Lines files are opened in spreadsheets as well.
    return Buffer.from(
      rows
        .map((r) =>
          JSON.stringify(
            Object.fromEntries(
              columns
                .filter((c) => r[c] !== undefined)
                .map((c) => [c, typeof r[c] === 'string' ? neutralise(r[c]) : r[c]]),
            ),
          ),
        )
        .join('\n') + (rows.length ? '\n' : ''),
      'utf8',
    );
  }
  if (format === 'csv') {
    const lines = [
      columns.map(csvCell).join(','),
      ...rows.map((r) => columns.map((c) => csvCell(text(r[c]))).join(',')),
    ];
    return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
  }
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('export');
  ws.addRow([...columns]);
  // Every cell is written as a string: nothing is ever interpreted as a formula or a number.
  for (const r of rows) ws.addRow(columns.map((c) => text(r[c])));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
