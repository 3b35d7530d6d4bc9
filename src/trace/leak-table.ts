/**
 * A leaked table, built as its rows are read: the first rows (up to SAMPLE) decide what each column
 * holds (columns.ts), and from then on each row is kept only in its compared form (leak-row.ts), so
 * a large file is never held twice, once as cells and once as rows. A header row of values is data.
 */
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

/** Rows whose values decide the columns a header does not name. */
const SAMPLE = 200;
/** How often (in rows) the builder says how many it holds. */
const REPORT_EVERY = 5000;

export class LeakTableBuilder {
  readonly #format: LeakFormat;
  readonly #onRows: ((rows: number) => void) | undefined;
  #names: readonly string[];
  #fromHeader: (Target | undefined)[];
  /** Rows held as cells until the columns are decided. */
  #sample: { line: number; cells: readonly string[] }[] = [];
  #targets: (Target | undefined)[] | undefined;
  readonly #rows: LeakRow[] = [];
  /** Targets some row has a value for (the others were never filled: see finish). */
  readonly #filled = new Set<string>();

  constructor(format: LeakFormat, header: readonly string[], opts: { onRows?: (rows: number) => void } = {}) {
    this.#format = format;
    this.#onRows = opts.onRows;
    this.#names = header;
    this.#fromHeader = header.map((h) => targetOfHeader(h));
    if (
      this.#fromHeader.every((t) => t === undefined) &&
      header.filter((h) => kindOfValue(h) !== undefined).length >= 2
    ) {
      this.#sample.push({ line: 1, cells: header });
      this.#names = header.map((_, i) => `column ${i + 1}`);
    }
  }

  add(line: number, cells: readonly string[]): void {
    if (this.#targets) return this.#keep(line, cells);
    this.#sample.push({ line, cells });
    if (this.#sample.length >= SAMPLE) this.#decide();
  }

  finish(): LeakTable {
    if (!this.#targets) this.#decide();
    const targets = this.#targets!;
    const rows = this.#rows;
    // A column empty in every row says nothing of when the copy was taken: whoever made it never had
    // those values (masked to them, or left out), so its cells are not "not yet" (window.ts).
    const never = new Set<string>(
      targets.filter((t): t is Target => t !== undefined && (rows.length === 0 || !this.#filled.has(t))),
    );
    if (never.size > 0)
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        if (r.empty.some((t) => never.has(t))) rows[i] = { ...r, empty: r.empty.filter((t) => !never.has(t)) };
      }
    return { format: this.#format, columns: this.#names.map((h, i) => ({ header: h, target: targets[i] })), rows };
  }

  #decide(): void {
    this.#targets = inferColumns(
      this.#fromHeader,
      this.#sample.map((r) => r.cells),
    );
    const sample = this.#sample;
    this.#sample = [];
    for (const r of sample) this.#keep(r.line, r.cells);
  }

  #keep(line: number, cells: readonly string[]): void {
    const targets = this.#targets!;
    const row = leakRow(line, targets, cells);
    this.#rows.push(row);
    if (this.#filled.size < targets.length)
      for (const t of targets) if (t !== undefined && !row.empty.includes(t)) this.#filled.add(t);
    if (this.#onRows && this.#rows.length % REPORT_EVERY === 0) this.#onRows(this.#rows.length);
  }
}

/** Rows of cells with a header: targets from headers, then from values; a header of values is data. */
export function tableOf(
  format: LeakFormat,
  header: readonly string[],
  rows: readonly { line: number; cells: readonly string[] }[],
): LeakTable {
  const b = new LeakTableBuilder(format, header);
  for (const r of rows) b.add(r.line, r.cells);
  return b.finish();
}
