import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferColumns, kindOfValue } from './columns.ts';
import { leakRow, observe } from './leak-row.ts';
import { compareValue } from './linkage.ts';

test('a vaccination column is recognised in codes and in Chinese, before names and hospitals', () => {
  for (const v of [
    'HepB',
    'HepB 1 2026-01-02',
    '乙肝疫苗',
    '卡介苗',
    'A群流脑多糖疫苗',
    '乙肝疫苗 第1剂 2026-01-02 济南市妇幼保健院',
    '麻腮风疫苗(2)',
    '[{"vaccine":"乙肝疫苗","dose":1}]',
    '[{"vaccine":"HepB","name":"乙肝疫苗","dose":1}]',
  ])
    assert.equal(kindOfValue(v), 'vaccinations', v);
  // Names stay names, even when they begin like an abbreviation; hospitals stay hospitals.
  assert.equal(kindOfValue('白破军'), '*name');
  assert.equal(kindOfValue('王小明'), '*name');
  assert.equal(kindOfValue('济南市妇幼保健院'), 'hospital');
  assert.equal(kindOfValue('MRI室'), undefined);
});

test('a headerless leak with 149 numbers and Chinese vaccine names: phones linked, vaccines not read as names', () => {
  const sample = [
    ['王芳', '14901234567', '乙肝疫苗 第1剂'],
    ['李娜', '149 1234 5670', '卡介苗'],
    ['张敏', '15412345678', '百白破疫苗'],
  ];
  const targets = inferColumns([undefined, undefined, undefined], sample);
  assert.deepEqual(targets, ['*name', '*phone', 'vaccinations']);
  const row = leakRow(2, targets, sample[0]!);
  const kinds = row.obs.map((o) => o.value.kind);
  assert.ok(row.obs.some((o) => o.value.kind === 'mobile' && o.value.pattern === '14901234567'));
  assert.equal(kinds.filter((k) => k === 'personName').length, 1, 'the vaccine is no second name');
  assert.equal(row.cells.vaccinations, '乙肝疫苗 第1剂', 'the cell is kept for the fingerprint marks');
});

test("a leaked 149 number links to the record's, written or masked as leaks write it", () => {
  const tf = { hospitals: 20, name: () => 1e-4 };
  const m = (p: string) => compareValue(observe('*phone', p)!, 'motherPhone', '14905310001', tf)[0];
  assert.equal(m('149 0531 0001'), 'exact');
  assert.equal(m('+86 149-0531-0001'), 'exact');
  assert.equal(m('149****0001'), 'masked');
  assert.equal(m('14905310002'), 'typo');
});
