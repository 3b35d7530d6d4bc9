import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neutralise, writeExport } from './export-writer.ts';

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
