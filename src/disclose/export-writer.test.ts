import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neutralise, writeExport } from './export-writer.ts';

/** How a spreadsheet that honours quotes reads a CSV line when it splits on `sep`: the cells it sees. */
function cellsAs(line: string, sep: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') cell += line[++i];
      else quoted = !quoted;
    } else if (ch === sep && !quoted) {
      out.push(cell);
      cell = '';
    } else cell += ch;
  }
  return [...out, cell];
}

/** A cell a spreadsheet would run (OWASP "CSV Injection"), leading spaces trimmed as some readers do. */
const formula = (cell: string) => /^[=+\-@\t\r]/.test(cell) || /^\s*[=+\-@]/.test(cell);

test('exports neutralise cells that a spreadsheet would run as formulas (CWE-1236)', async () => {
  for (const s of ['=1+1', '+86 138', '-2', '@SUM(A1)', '\tx', '\rx']) assert.equal(neutralise(s)[0], "'");
  assert.equal(neutralise('张三'), '张三');
  const csv = (await writeExport('csv', ['a', 'b'], [{ a: '=HYPERLINK("http://x")', b: 'ok,"q"' }])).toString('utf8');
  assert.equal(csv, '\uFEFFa,b\r\n"\'=HYPERLINK(""http://x"")","ok,""q"""\r\n');
  const jsonl = (await writeExport('jsonl', ['a'], [{ a: '@x' }])).toString('utf8');
  assert.equal(jsonl, '{"a":"\'@x"}\n');
  const xlsx = await writeExport('xlsx', ['a'], [{ a: '=1+1' }]);
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
  assert.equal(wb.worksheets[0]!.getCell('A2').value, "'=1+1");
});

test('a formula behind a separator-like prefix is neutralised, for spreadsheets that split on ; or tab', async () => {
  // OWASP "CSV Injection": a separator or a quote before the formula starts a new cell in some readers.
  const cells = [';=HYPERLINK("http://x","y")', ';=1+1', ',=1+1', '\t=1', ';;+1', ' =1', '"=1', ', -2', '\r=1', ';@x'];
  for (const s of cells) assert.equal(neutralise(s)[0], "'", JSON.stringify(s));
  for (const s of ['a;b', '1;=2', '张三', '2024-01-01']) assert.equal(neutralise(s), s);
  // Whatever a reader splits on (the file's comma, a semicolon, a tab), no cell it sees is a formula.
  const row = [...cells, 'x;=1+1', 'x\t=1', 'x,=1+1'];
  const columns = row.map((_, i) => `c${i}`);
  const body = await writeExport('csv', columns, [Object.fromEntries(row.map((v, i) => [`c${i}`, v]))]);
  const line = body
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split('\r\n')[1]!;
  for (const sep of [',', ';', '\t']) {
    const seen = cellsAs(line, sep);
    assert.deepEqual(seen.filter(formula), [], `split on ${JSON.stringify(sep)}: ${JSON.stringify(seen)}`);
  }
  // Read as the comma-separated file it is, each cell comes back whole, with its quote in front if neutralised.
  assert.deepEqual(cellsAs(line, ','), [...cells.map((s) => `'${s}`), 'x;=1+1', 'x\t=1', 'x,=1+1']);
});
