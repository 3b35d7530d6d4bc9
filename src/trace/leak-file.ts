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
import { inferColumns, kindOfValue, targetOfHeader, type Target } from './columns.ts';
import { leakRow, type LeakRow } from './leak-row.ts';

export const LEAK_FORMATS = ['csv', 'xlsx', 'json', 'jsonl', 'text'] as const;
export type LeakFormat = (typeof LEAK_FORMATS)[number];

export interface LeakTable {
  readonly format: LeakFormat;
  /** What each column was read as (undefined: not used); empty for pasted text (per line). */
  readonly columns: readonly { readonly header: string; readonly target?: Target }[];
  readonly rows: readonly LeakRow[];
}

export const TRACE_LIMITS: SourceLimits = { ...DEFAULT_LIMITS, maxBytes: 512 * 1024 ** 2, maxRows: 2_000_000 };

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

/** Rows of cells with a header: targets from headers, then from values; a header of values is data. */
export function tableOf(
  format: LeakFormat,
  header: readonly string[],
  rows: readonly { line: number; cells: readonly string[] }[],
): LeakTable {
  let fromHeader = header.map((h) => targetOfHeader(h));
  let data = rows,
    names = header;
  if (fromHeader.every((t) => t === undefined) && header.filter((h) => kindOfValue(h) !== undefined).length >= 2) {
    data = [{ line: 1, cells: header }, ...rows];
    fromHeader = header.map(() => undefined);
    names = header.map((_, i) => `column ${i + 1}`);
  }
  const targets = inferColumns(
    fromHeader,
    data.slice(0, 200).map((r) => r.cells),
  );
  const columns = names.map((h, i) => ({ header: h, target: targets[i] }));
  const built = data.map((r) => leakRow(r.line, targets, r.cells));
  // A column empty in every row says nothing of when the copy was taken: whoever made it never had
  // those values (masked to them, or left out), so its cells are not "not yet" (window.ts).
  const neverFilled = new Set<string>(
    targets.filter((t): t is Target => t !== undefined && built.every((r) => r.empty.includes(t))),
  );
  return {
    format,
    columns,
    rows:
      neverFilled.size === 0 ? built : built.map((r) => ({ ...r, empty: r.empty.filter((t) => !neverFilled.has(t)) })),
  };
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
  const header: string[] = [];
  const seen = new Set<string>();
  for (const o of list.slice(0, 1000)) {
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'notAnObject' });
    for (const k of Object.keys(o)) {
      if (seen.has(k) || seen.size >= 64) continue;
      seen.add(k);
      header.push(k);
    }
  }
  return tableOf(
    format,
    header,
    list.map((o, i) => ({ line: i + 1, cells: header.map((h) => cellString((o as Record<string, unknown>)[h])) })),
  );
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
  limits?: Partial<SourceLimits>,
): Promise<LeakTable> {
  if (format === 'json' || format === 'text') {
    const text = decodeText(bytes);
    return format === 'json' ? parseLeakJson(text) : parseLeakText(text);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tracevault-leak-'));
  try {
    const path = join(dir, `leak.${format}`);
    writeFileSync(path, bytes, { mode: 0o600 });
    return await readLeakFile(path, { format, limits });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads a leak from a file. `format` overrides what the name and first bytes say. */
export async function readLeakFile(
  path: string,
  opts: { format?: LeakFormat; limits?: Partial<SourceLimits> } = {},
): Promise<LeakTable> {
  const limits = { ...TRACE_LIMITS, ...opts.limits };
  const source = openSource(path, {
    limits,
    format: opts.format === 'xlsx' || opts.format === 'jsonl' || opts.format === 'csv' ? opts.format : undefined,
  });
  const format = opts.format ?? (source.format === 'xlsx' ? 'xlsx' : formatOf(path));
  if (format === 'json') return parseLeakJson(textOf(path));
  if (format === 'text') return parseLeakText(textOf(path));
  if (format === 'jsonl') {
    const objs: Record<string, unknown>[] = [];
    for await (const r of source.rows()) objs.push(r.cells);
    return objectsTable('jsonl', objs);
  }
  let header: string[] | undefined;
  const rows: { line: number; cells: string[] }[] = [];
  try {
    for await (const r of source.rows()) {
      header ??= Object.keys(r.cells);
      rows.push({ line: r.row, cells: header.map((h) => cellString(r.cells[h])) });
    }
  } catch (e) {
    // A "CSV" whose lines do not keep one column count is chat text.
    if (format === 'csv' && e instanceof TracevaultError && e.details.rule === 'columnCount')
      return parseLeakText(textOf(path));
    throw e;
  }
  if (!header) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'empty' });
  return tableOf(format, header, rows);
}
