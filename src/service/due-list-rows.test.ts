/**
 * The due list's pure parts (due-list-rows.ts, doses.ts addDoses, due-lists.ts checkWindow): which
 * doses fall in a window on the 2021 schedule, a file row's columns, the window's limits, and doses
 * given only ever added.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { birthDateOf, DUE_COLUMNS, dueDoses, fileRow } from './due-list-rows.ts';
import { checkWindow } from './due-lists.ts';
import { addDoses } from './doses.ts';
import type { Vaccination } from '../schema/field-kind.ts';

const given: Vaccination[] = [
  { vaccine: 'HepB', dose: 1, date: '2026-05-10', clinic: '齐鲁医院' },
  { vaccine: 'BCG', dose: 1, date: '2026-05-10', clinic: '齐鲁医院' },
  { vaccine: 'HepB', dose: 2, date: '2026-06-12', clinic: '历下区接种门诊' },
];

test('the birth date is the local date of the birth time (UTC+8)', () => {
  assert.equal(birthDateOf('2026-05-09T23:30:00+08:00'), '2026-05-09');
  assert.equal(birthDateOf('2026-05-09T16:30:00Z'), '2026-05-10');
  assert.equal(birthDateOf(undefined), undefined);
});

test('the doses due in a window, with those overdue before it; none, no row', () => {
  const values = { birthTime: '2026-05-10T08:00:00+08:00', vaccinations: given };
  // Born 05-10 with HepB 1-2 and BCG: IPV 1 (2 months, 07-10) and DTaP 1 (3 months, 08-10) are overdue in
  // September, bOPV 1 (4 months) falls on 09-10.
  const sept = dueDoses(values, { from: '2026-09-01', to: '2026-09-30' })!;
  assert.deepEqual(
    sept.due.map((d) => `${d.vaccine}-${d.dose}@${d.due}`),
    ['bOPV-1@2026-09-10'],
  );
  assert.equal(sept.due[0]!.name, '脊灰减毒活疫苗');
  assert.ok(sept.overdue.some((d) => d.vaccine === 'IPV' && d.dose === 1 && d.due === '2026-07-10'));
  assert.equal(dueDoses(values, { from: '2030-01-01', to: '2030-01-31' }), undefined);
  assert.equal(dueDoses({ vaccinations: given }, { from: '2026-09-01', to: '2026-09-30' }), undefined);
});

test("a file row: the family's values, the birth date, the doses given, the doses due as parallel lists", () => {
  const values = { birthTime: '2026-05-10T08:00:00+08:00', vaccinations: given };
  const doses = dueDoses(values, { from: '2026-08-01', to: '2026-09-30' })!;
  const row = fileRow({ babyName: '王小明', motherName: '李娜', motherPhone: '138 1234 5678', ...values }, doses);
  assert.deepEqual(Object.keys(row), DUE_COLUMNS);
  assert.equal(row.birthDate, '2026-05-10');
  assert.equal(row.motherPhone, '138 1234 5678');
  assert.equal((row.dueVaccine as string).split(';').length, doses.due.length);
  assert.equal((row.dueDate as string).split(';')[0], doses.due[0]!.due);
  assert.equal(row.birthTime, undefined, 'the date, never the time');
});

test('a window is two local dates, in order, at most 92 days', () => {
  assert.deepEqual(checkWindow('2026-12-01', '2026-12-31'), { from: '2026-12-01', to: '2026-12-31' });
  for (const [from, to, rule] of [
    ['2026-12-31', '2026-12-01', 'beforeFrom'],
    ['2026-01-01', '2026-12-31', 'windowTooLong'],
    ['2026-02-30', '2026-03-01', 'date'],
    ['20261201', '2026-12-31', 'date'],
  ] as const) {
    assert.throws(
      () => checkWindow(from, to),
      (e: { code: string; details: { rule: string } }) => {
        assert.deepEqual([e.code, e.details.rule], ['ERR_INVALID_FIELD', rule]);
        return true;
      },
    );
  }
});

test('doses given are added, by code or Chinese name; a dose recorded stays as it is', () => {
  const out = addDoses(
    given,
    [
      { vaccine: '乙肝疫苗', dose: 2, date: '2026-07-01' },
      { vaccine: '脊灰灭活', dose: 1, date: '2026-07-12' },
    ],
    '历下区接种门诊',
  );
  assert.deepEqual(out.slice(0, 3), given, 'nothing removed or rewritten');
  assert.deepEqual(out.slice(3), [{ vaccine: 'IPV', dose: 1, date: '2026-07-12', clinic: '历下区接种门诊' }]);
});
