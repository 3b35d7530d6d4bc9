/**
 * Row sources for import: CSV (any common delimiter; UTF-8, UTF-8 with BOM, UTF-16 with BOM, GBK /
 * GB18030), XLSX (streamed with exceljs, after the archive check) and JSON Lines. Each yields rows
 * as {row number, cells by column name}; row numbers are what a person sees in a spreadsheet (the
 * header is row 1) or the line number of a JSON Lines file. Errors name positions, never contents.
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import { TracevaultError } from '../errors.ts';
import { CsvParser, type CsvRecord } from './csv.ts';
import { decodeStream, detectEncoding, type TextEncoding } from './decode.ts';
import { checkInflation, checkZip, DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-check.ts';

export type SourceFormat = 'csv' | 'xlsx' | 'jsonl';

export interface SourceRow {
  readonly row: number;
  readonly cells: Readonly<Record<string, unknown>>;
}

export interface SourceLimits {
  readonly maxBytes: number;
  readonly maxRows: number;
  readonly maxColumns: number;
  /** Largest single CSV record or JSON line, in characters. */
  readonly maxRecordChars: number;
  readonly zip: ZipLimits;
}

export const DEFAULT_LIMITS: SourceLimits = {
  maxBytes: 2 * 1024 ** 3,
  maxRows: 10_000_000,
  maxColumns: 64,
  maxRecordChars: 64 * 1024,
  zip: DEFAULT_ZIP_LIMITS,
};

export interface Source {
  readonly format: SourceFormat;
  readonly encoding?: TextEncoding;
  readonly bytes: number;
  rows(): AsyncGenerator<SourceRow>;
}

const SAMPLE = 64 * 1024;

function readSample(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(SAMPLE);
    return b.subarray(0, readSync(fd, b, 0, SAMPLE, 0));
  } finally {
    closeSync(fd);
  }
}

export function detectFormat(path: string, sample: Uint8Array): SourceFormat {
  if (sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04) return 'xlsx';
  const lower = path.toLowerCase();
  if (lower.endsWith('.xlsx')) return 'xlsx';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.xls')) throw new TracevaultError('ERR_UNSUPPORTED_FORMAT');
  return 'csv';
}

/** Picks the delimiter that splits the first line most often, outside quotes. */
export function sniffDelimiter(firstLine: string): string {
  let best = ',',
    bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    let n = 0,
      quoted = false;
    for (const c of firstLine) {
      if (c === '"') quoted = !quoted;
      else if (c === d && !quoted) n++;
    }
    if (n > bestCount) [best, bestCount] = [d, n];
  }
  return best;
}

export function openSource(path: string, opts: { format?: SourceFormat; limits?: Partial<SourceLimits> } = {}): Source {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  let bytes: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    bytes = st.size;
  } catch (e) {
    throw new TracevaultError('ERR_NOT_FOUND', {}, { cause: e });
  }
  if (bytes > limits.maxBytes) throw new TracevaultError('ERR_FILE_TOO_LARGE', { limit: limits.maxBytes });
  const sample = readSample(path);
  const format = opts.format ?? detectFormat(path, sample);
  if (format === 'xlsx') {
    checkZip(path, limits.zip);
    return { format, bytes, rows: () => xlsxRows(path, limits) };
  }
  const encoding = detectEncoding(sample);
  const text = () => decodeStream(createReadStream(path, { highWaterMark: 256 * 1024 }), encoding);
  if (format === 'jsonl') return { format, encoding, bytes, rows: () => jsonlRows(text(), limits) };
  const head = new TextDecoder(encoding).decode(sample).replace(/^\uFEFF/, '');
  const delimiter = sniffDelimiter(head.split(/\r?\n/, 1)[0] ?? '');
  return { format, encoding, bytes, rows: () => csvRows(text(), delimiter, limits) };
}

function headerOf(cells: readonly unknown[], limits: SourceLimits): string[] {
  if (cells.length > limits.maxColumns)
    throw new TracevaultError('ERR_MALFORMED_FILE', { row: 1, rule: 'tooManyColumns', limit: limits.maxColumns });
  const names = cells.map((c) =>
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- header cells are text or numbers
    String(c ?? '')
      .replace(/^\uFEFF/, '')
      .trim(),
  );
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (n !== '' && seen.has(n))
      throw new TracevaultError('ERR_MALFORMED_FILE', { row: 1, column: String(i + 1), rule: 'duplicateColumn' });
    seen.add(n);
  });
  if (seen.size === 0 || (seen.size === 1 && seen.has('')))
    throw new TracevaultError('ERR_MALFORMED_FILE', { row: 1, rule: 'noHeader' });
  return names;
}

function toCells(header: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const cells: Record<string, unknown> = {};
  header.forEach((name, i) => {
    if (name !== '') cells[name] = values[i] ?? '';
  });
  return cells;
}

async function* csvRows(
  text: AsyncIterable<string>,
  delimiter: string,
  limits: SourceLimits,
): AsyncGenerator<SourceRow> {
  const parser = new CsvParser(delimiter, limits.maxRecordChars);
  let header: string[] | undefined;
  let n = 0;
  const rows = function* (records: CsvRecord[]): Generator<SourceRow> {
    for (const r of records) {
      if (!header) {
        header = headerOf(r.fields, limits);
        continue;
      }
      if (r.fields.length !== header.length)
        throw new TracevaultError('ERR_MALFORMED_FILE', { line: r.line, rule: 'columnCount' });
      if (++n > limits.maxRows)
        throw new TracevaultError('ERR_FILE_TOO_LARGE', { rule: 'maxRows', limit: limits.maxRows });
      yield { row: n + 1, cells: toCells(header, r.fields) };
    }
  };
  for await (const chunk of text) yield* rows(parser.push(chunk));
  yield* rows(parser.end());
  if (!header) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'empty' });
}

async function* jsonlRows(text: AsyncIterable<string>, limits: SourceLimits): AsyncGenerator<SourceRow> {
  let buf = '',
    line = 0,
    rows = 0;
  const parseLine = (s: string): SourceRow | undefined => {
    line++;
    if (s.trim() === '') return undefined;
    if (s.length > limits.maxRecordChars)
      throw new TracevaultError('ERR_MALFORMED_FILE', { line, rule: 'recordTooLong' });
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      throw new TracevaultError('ERR_MALFORMED_FILE', { line, rule: 'json' });
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new TracevaultError('ERR_MALFORMED_FILE', { line, rule: 'notAnObject' });
    if (++rows > limits.maxRows)
      throw new TracevaultError('ERR_FILE_TOO_LARGE', { rule: 'maxRows', limit: limits.maxRows });
    return { row: line, cells: v as Record<string, unknown> };
  };
  for await (const chunk of text) {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const r = parseLine(
        buf
          .slice(0, nl)
          .replace(/\r$/, '')
          .replace(/^\uFEFF/, ''),
      );
      buf = buf.slice(nl + 1);
      if (r) yield r;
    }
    if (buf.length > limits.maxRecordChars)
      throw new TracevaultError('ERR_MALFORMED_FILE', { line: line + 1, rule: 'recordTooLong' });
  }
  const last = parseLine(buf);
  if (last) yield last;
}

const two = (n: number) => String(n).padStart(2, '0');

/** An XLSX cell as text. Dates are wall-clock times (Excel has no zone): written without an offset. */
export function cellText(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return '';
    const d = `${v.getUTCFullYear()}-${two(v.getUTCMonth() + 1)}-${two(v.getUTCDate())}`;
    const t = `${two(v.getUTCHours())}:${two(v.getUTCMinutes())}:${two(v.getUTCSeconds())}`;
    return t === '00:00:00' ? d : `${d}T${t}`;
  }
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText((v as ExcelJS.CellFormulaValue).result);
    if ('text' in v) return String(v.text);
    if ('error' in v) return '#ERROR';
  }
  return '';
}

async function* xlsxRows(path: string, limits: SourceLimits): AsyncGenerator<SourceRow> {
  let header: string[] | undefined;
  let rows = 0;
  // The declared sizes passed checkZip; now what the entries really inflate to, before exceljs reads them.
  await checkInflation(path, limits.zip);
  try {
    // Loaded on first use: a CSV import should not carry a spreadsheet library in memory.
    const { default: Excel } = await import('exceljs');
    const reader = new Excel.stream.xlsx.WorkbookReader(path, {
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      worksheets: 'emit',
      entries: 'emit',
    });
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as ExcelJS.CellValue[]).slice(1);
        if (values.length > limits.maxColumns)
          throw new TracevaultError('ERR_MALFORMED_FILE', {
            row: row.number,
            rule: 'tooManyColumns',
            limit: limits.maxColumns,
          });
        const texts = values.map(cellText);
        if (!header) {
          header = headerOf(texts, limits);
          continue;
        }
        if (texts.every((t) => t === '')) continue;
        if (++rows > limits.maxRows)
          throw new TracevaultError('ERR_FILE_TOO_LARGE', { rule: 'maxRows', limit: limits.maxRows });
        yield { row: row.number, cells: toCells(header, texts) };
      }
      break; // the first worksheet only
    }
  } catch (e) {
    if (e instanceof TracevaultError) throw e;
    throw new TracevaultError('ERR_MALFORMED_FILE', {}, { cause: e });
  }
  if (!header) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'empty' });
}
