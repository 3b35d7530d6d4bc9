import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellLine } from './output.ts';

test("an invalid or warned cell as a line: row, field, rule and the rule's words, never the value", () => {
  assert.equal(
    cellLine({ row: 6, field: 'vaccinations', rule: 'vaccinations.vaccine' }),
    '  row 6: vaccinations: vaccinations.vaccine — unknown vaccine: write its name (乙肝疫苗, 卡介苗) or its code (HepB)',
  );
  assert.equal(
    cellLine({ row: 5, field: 'motherPhone', rule: 'mobile.prefixUnknown' }, true),
    '  row 5: motherPhone: mobile.prefixUnknown (warning) — a prefix not in the table: stored; check the number',
  );
  assert.equal(cellLine({ row: 2, field: 'x', rule: 'nonsense' }), '  row 2: x: nonsense');
});
