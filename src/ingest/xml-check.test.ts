/**
 * The XML inside a workbook (issue 20, finding 1): nesting depth, one cell's or shared string's
 * size, one tag's size and document type declarations are capped as the parts inflate, before
 * exceljs parses them. Crafted workbooks, honest in their zip headers, lie only in their XML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipOf } from '../../test/helpers/zip.ts';
import { openSource } from './readers.ts';
import { checkInflation } from './zip-check.ts';
import { DEFAULT_XML_LIMITS, XmlShapeCheck } from './xml-check.ts';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** A one-sheet workbook: a header row and `rows`, cells as inline strings unless given as XML. */
function workbook(sheetRows: string, sharedStrings?: string): Buffer {
  const sst = sharedStrings !== undefined;
  return zipOf([
    {
      name: '[Content_Types].xml',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ' +
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ' +
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      content:
        `<Relationships xmlns="${PKG}"><Relationship Id="rId1" ` +
        `Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      content:
        `<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>` +
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content:
        `<Relationships xmlns="${PKG}">` +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        (sst ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
        '</Relationships>',
    },
    ...(sst ? [{ name: 'xl/sharedStrings.xml', content: `<sst xmlns="${MAIN}">${sharedStrings}</sst>` }] : []),
    {
      name: 'xl/worksheets/sheet1.xml',
      content: `<worksheet xmlns="${MAIN}"><sheetData>${sheetRows}</sheetData></worksheet>`,
    },
  ]);
}

const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const HEADER = `<row r="1">${inline('A1', 'motherName')}${inline('B1', 'hospital')}</row>`;

async function withBook<T>(book: Buffer, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tv-xml-'));
  try {
    const path = join(dir, 'book.xlsx');
    writeFileSync(path, book);
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readAll(path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of openSource(path, { format: 'xlsx' }).rows()) out.push({ ...r.cells });
  return out;
}

test('a hand-made workbook within the limits is read, shared strings and inline strings alike', async () => {
  const rows = `${HEADER}<row r="2"><c r="A2" t="s"><v>0</v></c>${inline('B2', 'x'.repeat(30_000))}</row>`;
  await withBook(workbook(rows, '<si><t>张*</t></si>'), async (path) => {
    await checkInflation(path);
    const read = await readAll(path);
    assert.deepEqual(read, [{ motherName: '张*', hospital: 'x'.repeat(30_000) }]);
  });
});

test('elements nested deeper than the cap are refused before exceljs reads them', async () => {
  const deep = '<x>'.repeat(DEFAULT_XML_LIMITS.maxDepth) + '</x>'.repeat(DEFAULT_XML_LIMITS.maxDepth);
  const rows = `${HEADER}<row r="2">${inline('A2', 'a')}${inline('B2', 'b')}</row>${deep}`;
  await withBook(workbook(rows), async (path) => {
    await assert.rejects(checkInflation(path), {
      code: 'ERR_UNSAFE_ARCHIVE',
      details: { rule: 'xmlDepth', limit: DEFAULT_XML_LIMITS.maxDepth },
    });
    await assert.rejects(readAll(path), { code: 'ERR_UNSAFE_ARCHIVE', details: { rule: 'xmlDepth', limit: 64 } });
  });
});

test('a shared string or a cell beyond the size cap is refused, however its text is cut up', async () => {
  const big = 'y'.repeat(DEFAULT_XML_LIMITS.maxCellBytes);
  const cellSize = {
    code: 'ERR_UNSAFE_ARCHIVE',
    details: { rule: 'cellSize', limit: DEFAULT_XML_LIMITS.maxCellBytes },
  };
  // One run of text in one shared string.
  await withBook(workbook(HEADER, `<si><t>${big}</t></si>`), async (path) => {
    await assert.rejects(readAll(path), cellSize);
  });
  // A rich text of many small runs: each is small, the string is not.
  const runs = '<r><t>' + 'z'.repeat(1000) + '</t></r>';
  await withBook(workbook(HEADER, `<si>${runs.repeat(300)}</si>`), async (path) => {
    await assert.rejects(readAll(path), cellSize);
  });
  // An inline string in the sheet itself.
  await withBook(workbook(`${HEADER}<row r="2">${inline('A2', big)}</row>`), async (path) => {
    await assert.rejects(readAll(path), cellSize);
  });
});

test('a document type declaration, an over-long tag or an attribute hiding ">" is seen for what it is', async () => {
  const dtd = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>';
  const withDtd = zipOf([{ name: 'xl/worksheets/sheet1.xml', content: `${dtd}<worksheet>&b;</worksheet>` }]);
  await withBook(withDtd, async (path) => {
    await assert.rejects(checkInflation(path), { code: 'ERR_UNSAFE_ARCHIVE', details: { rule: 'doctype' } });
  });
  const longTag = `<row r="2" spans="${'1'.repeat(DEFAULT_XML_LIMITS.maxTagBytes)}"></row>`;
  await withBook(workbook(`${HEADER}${longTag}`), async (path) => {
    await assert.rejects(checkInflation(path), {
      code: 'ERR_UNSAFE_ARCHIVE',
      details: { rule: 'tagSize', limit: 65536 },
    });
  });
  // Scanned directly: a ">" or "/>" inside an attribute value neither ends the tag nor closes it.
  const check = new XmlShapeCheck({ ...DEFAULT_XML_LIMITS, maxDepth: 3 });
  check.push(Buffer.from('<a><b k="/>"><c k=\'>\'>'));
  assert.throws(() => check.push(Buffer.from('<d>')), {
    code: 'ERR_UNSAFE_ARCHIVE',
    details: { rule: 'xmlDepth', limit: 3 },
  });
  // Comments, processing instructions and CDATA cut across chunks are followed to their ends.
  const ok = new XmlShapeCheck();
  for (const piece of ['<?xml version="1.0"?', '><a><!-- <b> -', '-><![CDATA[<c>]', ']><d/></a>'])
    ok.push(Buffer.from(piece));
  ok.end();
});
