import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { CsvParser } from './csv.ts';
import { csvLine } from '../sim/files.ts';

function parseAll(text: string, chunks: number[], delimiter = ','): string[][] {
  const p = new CsvParser(delimiter);
  const out: string[][] = [];
  let at = 0;
  for (const c of chunks) {
    out.push(...p.push(text.slice(at, at + c)).map((r) => r.fields));
    at += c;
  }
  out.push(...p.push(text.slice(at)).map((r) => r.fields));
  out.push(...p.end().map((r) => r.fields));
  return out;
}

const field = fc.string({ unit: fc.constantFrom('a', '张', ',', '"', '\n', '\r\n', ' ', '1', ';'), maxLength: 8 });
const table = fc
  .array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 })
  .filter((rows) => rows.every((r) => r.some((f) => f !== '')));

test('csv: agrees with csv-parse on any table, however the text is chunked', () => {
  fc.assert(
    fc.property(table, fc.array(fc.nat({ max: 7 }), { maxLength: 10 }), fc.boolean(), (rows, chunks, crlf) => {
      const text = rows.map((r) => csvLine(r)).join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '');
      assert.deepEqual(parseAll(text, chunks), rows);
      assert.deepEqual(parseAll(text, chunks), parse(text, { skip_empty_lines: true, relax_column_count: true }));
    }),
    { numRuns: 1000 },
  );
});

test('csv: line numbers, delimiters, and faults named by line and rule', () => {
  const p = new CsvParser('\t');
  const recs = [...p.push('a\tb\n"x\ny"\tz\n\nc\td'), ...p.end()];
  assert.deepEqual(
    recs.map((r) => [r.line, r.fields]),
    [
      [1, ['a', 'b']],
      [2, ['x\ny', 'z']],
      [5, ['c', 'd']],
    ],
  );
  assert.throws(() => parseAll('a,b\n"open,c\n', []), {
    code: 'ERR_MALFORMED_FILE',
    details: { line: 2, rule: 'unclosedQuote' },
  });
  assert.throws(() => parseAll('a,b\nx"y,c\n', []), { details: { line: 2, rule: 'quoteInField' } });
  assert.throws(() => parseAll('"a"b,c\n', []), { details: { line: 1, rule: 'textAfterQuote' } });
  assert.throws(() => new CsvParser(',', 10).push('"' + 'x'.repeat(20)), {
    details: { line: 1, rule: 'recordTooLong' },
  });
  assert.deepEqual(parseAll('a,\n', []), [['a', '']]);
});
