/**
 * Files of synthetic rows in the formats people send: CSV (UTF-8, UTF-8 with BOM, GBK), XLSX and
 * JSON Lines. The tests and benchmarks import them; nothing here runs in the vault.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Snapshot } from '../synth/snapshot.ts';

function cell(v: Snapshot[string] | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** RFC 4180 quoting: fields with a delimiter, quote or line break are quoted, quotes doubled. */
export function csvLine(values: readonly string[], delimiter = ','): string {
  return values
    .map((v) => (/[",\r\n\t;|]/.test(v) || v.includes(delimiter) ? `"${v.replaceAll('"', '""')}"` : v))
    .join(delimiter);
}

export function toCsv(rows: readonly Snapshot[], columns: readonly string[], delimiter = ','): string {
  return (
    [
      csvLine(columns, delimiter),
      ...rows.map((r) =>
        csvLine(
          columns.map((c) => cell(r[c])),
          delimiter,
        ),
      ),
    ].join('\r\n') + '\r\n'
  );
}

export async function writeCsv(
  path: string,
  rows: Iterable<Snapshot>,
  columns: readonly string[],
  opts: { encoding?: 'utf-8' | 'utf-8-bom' | 'gbk'; delimiter?: string } = {},
): Promise<void> {
  const enc = opts.encoding ?? 'utf-8';
  const encode = enc === 'gbk' ? (await import('iconv-lite')).default.encode : (s: string) => Buffer.from(s, 'utf8');
  const out = createWriteStream(path);
  if (enc === 'utf-8-bom') out.write(Buffer.from([0xef, 0xbb, 0xbf]));
  const write = async (s: string) => {
    if (!out.write(encode(s, 'gbk'))) await once(out, 'drain');
  };
  await write(csvLine(columns, opts.delimiter) + '\r\n');
  for (const r of rows)
    await write(
      csvLine(
        columns.map((c) => cell(r[c])),
        opts.delimiter,
      ) + '\r\n',
    );
  out.end();
  await once(out, 'finish');
}

export function writeJsonl(path: string, rows: Iterable<Snapshot>): void {
  const lines: string[] = [];
  for (const r of rows) lines.push(JSON.stringify(r));
  writeFileSync(path, lines.join('\n') + '\n');
}

export async function writeXlsx(path: string, rows: Iterable<Snapshot>, columns: readonly string[]): Promise<void> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
  const ws = wb.addWorksheet('births');
  ws.addRow([...columns]).commit();
  for (const r of rows) ws.addRow(columns.map((c) => cell(r[c]))).commit();
  ws.commit();
  await wb.commit();
}
