/**
 * Reading a leak: CSV (any delimiter; UTF-8, BOM, UTF-16, GBK/GB18030), XLSX (streamed, with the
 * import's limits on size, rows, columns and decompressed size), JSON (an array of objects, or an
 * object holding one), JSON Lines, and text pasted from a chat (a row a line, mixed separators,
 * "电话：138…" labels). A file with a header row of values is read as headerless. Columns are then
 * inferred (columns.ts). Errors name positions, never contents.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TracevaultError } from '../errors.ts';
import { openSource, DEFAULT_LIMITS, type SourceLimits } from '../ingest/readers.ts';
import { detectEncoding } from '../ingest/decode.ts';
import { kindOfValue, targetOfHeader, type Target } from './columns.ts';
import { leakRow, type LeakRow } from './leak-row.ts';
import { LEAK_FORMATS, LeakTableBuilder, tableOf, type LeakFormat, type LeakTable } from './leak-table.ts';

export { LEAK_FORMATS, tableOf, type LeakFormat, type LeakTable };

export const TRACE_LIMITS: SourceLimits = { ...DEFAULT_LIMITS, maxBytes: 512 * 1024 ** 2, maxRows: 2_000_000 };

/** How a leak is read: its format (else from its name and first bytes), limits, and rows read so far. */
export interface ReadLeakOptions {
  readonly format?: LeakFormat;
  readonly limits?: Partial<SourceLimits>;
  /** Called every few thousand rows with the number read. */
  readonly onRows?: (rows: number) => void;
}

function formatOf(path: string): LeakFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.xlsx')) return 'xlsx';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.txt') || lower.endsWith('.text')) return 'text';
  return 'csv';
}

function cellString(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** Pasted chat text: one row a line. Labels ("电话：") name the value after them; the rest is inferred per value. */
export function parseLeakText(text: string): LeakTable {
  const rows: LeakRow[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const tokens = line
        .normalize('NFKC')
        .split(/[,;|、\t]+|[:：]\s*|\s+/)
        .map((t) => t.trim())
        .filter(Boolean);
      const targets: (Target | undefined)[] = [],
        cells: string[] = [];
      let label: Target | undefined;
      let dates = 0;
      for (const tok of tokens) {
        // A header word (电话, 姓名, 母亲) is a label, even when it is shaped like a name.
        const asLabel = targetOfHeader(tok);
        if (asLabel && !/\d/.test(tok)) {
          label = asLabel;
          continue;
        }
        const k = kindOfValue(tok);
        if (k === 'time' && cells.length > 0 && /^\d{4}\D\d{1,2}\D\d{1,2}日?$/.test(cells[cells.length - 1]!)) {
          cells[cells.length - 1] += ` ${tok}`;
          continue;
        }
        let t: Target | undefined = label;
        if (!t)
          t =
            k === 'date'
              ? dates++ === 0
                ? 'birthTime'
                : 'dischargeTime'
              : k === 'sex'
                ? 'babySex'
                : k === 'time'
                  ? undefined
                  : k;
        label = undefined;
        targets.push(t);
        cells.push(tok);
      }
      if (targets.some((t) => t !== undefined)) rows.push(leakRow(i + 1, targets, cells));
    });
  if (rows.length === 0) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'noRows' });
  return { format: 'text', columns: [], rows };
}

/** A JSON document: an array of objects, or an object whose `rows`, `records` or `data` is one. */
export function parseLeakJson(text: string): LeakTable {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'json' });
  }
  return leakFromJson(doc);
}

/** A parsed JSON document as a leak (see parseLeakJson). */
export function leakFromJson(doc: unknown): LeakTable {
  const list = Array.isArray(doc)
    ? doc
    : typeof doc === 'object' && doc !== null
      ? ((doc as Record<string, unknown>).rows ??
        (doc as Record<string, unknown>).records ??
        (doc as Record<string, unknown>).data)
      : undefined;
  if (!Array.isArray(list)) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'notAList' });
  return objectsTable('json', list);
}

function objectsTable(format: LeakFormat, list: readonly unknown[]): LeakTable {
  const table = new ObjectsTable(format);
  for (const [i, o] of list.entries()) table.add(i + 1, o);
  return table.finish();
}

/** A table of objects (JSON, JSON Lines): the header is the keys of the first 1,000 (at most 64), in order. */
class ObjectsTable {
  readonly #format: LeakFormat;
  readonly #opts: { onRows?: (rows: number) => void };
  #first: { line: number; o: Record<string, unknown> }[] = [];
  #header: string[] | undefined;
  #table: LeakTableBuilder | undefined;

  constructor(format: LeakFormat, opts: { onRows?: (rows: number) => void } = {}) {
    this.#format = format;
    this.#opts = opts;
  }

  add(line: number, o: unknown): void {
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'notAnObject' });
    const obj = o as Record<string, unknown>;
    if (this.#table) return this.#table.add(line, this.#cells(obj));
    this.#first.push({ line, o: obj });
    if (this.#first.length >= 1000) this.#start();
  }

  finish(): LeakTable {
    if (!this.#table) this.#start();
    return this.#table!.finish();
  }

  #start(): void {
    const header: string[] = [];
    const seen = new Set<string>();
    for (const { o } of this.#first)
      for (const k of Object.keys(o)) {
        if (seen.has(k) || seen.size >= 64) continue;
        seen.add(k);
        header.push(k);
      }
    this.#header = header;
    this.#table = new LeakTableBuilder(this.#format, header, this.#opts);
    for (const { line, o } of this.#first) this.#table.add(line, this.#cells(o));
    this.#first = [];
  }

  #cells(o: Record<string, unknown>): string[] {
    return this.#header!.map((h) => cellString(o[h]));
  }
}

function textOf(path: string): string {
  return decodeText(readFileSync(path));
}

function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder(detectEncoding(bytes.subarray(0, 64 * 1024)), { fatal: true }).decode(bytes);
  } catch (e) {
    if (e instanceof TracevaultError) throw e;
    throw new TracevaultError('ERR_ENCODING', {}, { cause: e });
  }
}

/** Reads a leak from bytes (an upload): through a private temporary file, removed afterwards. */
export async function readLeakBytes(
  bytes: Uint8Array,
  format: LeakFormat,
  opts: Omit<ReadLeakOptions, 'format'> = {},
): Promise<LeakTable> {
  if (format === 'json' || format === 'text') {
    const text = decodeText(bytes);
    return format === 'json' ? parseLeakJson(text) : parseLeakText(text);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tracevault-leak-'));
  try {
    const path = join(dir, `leak.${format}`);
    writeFileSync(path, bytes, { mode: 0o600 });
    return await readLeakFile(path, { ...opts, format });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Reads a leak from a file. `format` overrides what the name and first bytes say. CSV, XLSX and
 * JSON Lines are streamed: each row is kept only in its compared form (leak-table.ts).
 */
export async function readLeakFile(path: string, opts: ReadLeakOptions = {}): Promise<LeakTable> {
  const limits = { ...TRACE_LIMITS, ...opts.limits };
  const source = openSource(path, {
    limits,
    format: opts.format === 'xlsx' || opts.format === 'jsonl' || opts.format === 'csv' ? opts.format : undefined,
  });
  const format = opts.format ?? (source.format === 'xlsx' ? 'xlsx' : formatOf(path));
  if (format === 'json') return parseLeakJson(textOf(path));
  if (format === 'text') return parseLeakText(textOf(path));
  if (format === 'jsonl') {
    const table = new ObjectsTable('jsonl', { onRows: opts.onRows });
    for await (const r of source.rows()) table.add(r.row, r.cells);
    return table.finish();
  }
  let header: string[] | undefined;
  let table: LeakTableBuilder | undefined;
  try {
    for await (const r of source.rows()) {
      if (!header) {
        header = Object.keys(r.cells);
        table = new LeakTableBuilder(format, header, { onRows: opts.onRows });
      }
      table!.add(
        r.row,
        header.map((h) => cellString(r.cells[h])),
      );
    }
  } catch (e) {
    // A "CSV" whose lines do not keep one column count is chat text.
    if (format === 'csv' && e instanceof TracevaultError && e.details.rule === 'columnCount')
      return parseLeakText(textOf(path));
    throw e;
  }
  if (!header) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'empty' });
  return table!.finish();
}
