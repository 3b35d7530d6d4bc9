import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMonths, nextDue, VACCINES, vaccineByCode, vaccineByName, vaccineZh } from './vaccines.ts';

test("the issue's certificate names and the stored codes all name their vaccine", () => {
  const cases: [string, string][] = [
    ['乙肝疫苗', 'HepB'],
    ['卡介苗', 'BCG'],
    ['脊灰灭活疫苗', 'IPV'],
    ['百白破疫苗', 'DTaP'],
    ['麻腮风疫苗', 'MMR'],
    ['乙脑减毒活疫苗', 'JE-L'],
    ['A群流脑多糖疫苗', 'MPSV-A'],
    ['乙型肝炎疫苗', 'HepB'],
    ['乙肝', 'HepB'],
    ['  乙肝疫苗 ', 'HepB'],
    ['Ａ群流脑多糖疫苗', 'MPSV-A'], // full-width letter (NFKC)
    ['A群 流脑 多糖疫苗', 'MPSV-A'],
    ['hepb', 'HepB'],
    ['HEPB', 'HepB'],
    ['ｂＯＰＶ', 'bOPV'],
    ['糖丸', 'bOPV'],
    ['白破疫苗', 'DT'],
    ['乙脑灭活疫苗', 'JE-I'],
    ['A群C群流脑多糖疫苗', 'MPSV-AC'],
    ['甲肝减毒活疫苗', 'HepA-L'],
    ['甲肝灭活疫苗', 'HepA-I'],
    ['麻风疫苗', 'MR'],
    ['13价肺炎球菌结合疫苗', 'PCV13'],
    ['五联疫苗', 'DTaP-IPV-Hib'],
    ['DTaP-IPV/Hib', 'DTaP-IPV-Hib'],
    ['轮状病毒疫苗', 'RV'],
    ['水痘疫苗', 'VarV'],
    ['流感疫苗', 'Flu'],
    ['EV71疫苗', 'EV71'],
    ['手足口疫苗', 'EV71'],
    ['Hib疫苗', 'Hib'],
    ['乙肝疫苗（10μg）', 'HepB'],
    ['重组乙型肝炎疫苗(CHO细胞)', 'HepB'],
    ['麻腮风疫苗【Ⅰ】', 'MMR'],
  ];
  for (const [input, code] of cases) assert.equal(vaccineByName(input)?.code, code, input);
  // The codes the synthetic city and the trace's readers write.
  for (const code of ['HepB', 'BCG', 'IPV', 'bOPV', 'DTaP', 'MPSV-A', 'MR', 'JE-L', 'MMR', 'HepA-L']) {
    assert.equal(vaccineByName(code)?.code, code);
    assert.equal(vaccineByCode(code)?.code, code);
  }
});

test('unknown names name nothing', () => {
  for (const s of [
    '',
    ' ',
    '疫苗',
    '乙肝疫苗苗',
    'HepC',
    'x'.repeat(200),
    '乙',
    'JE',
    '(乙肝疫苗)',
    '神仙疫苗（乙肝）',
  ]) {
    assert.equal(vaccineByName(s), undefined, s);
  }
  assert.equal(vaccineByCode('hepb'), undefined); // stored codes are exact
});

test('the vocabulary is well formed: codes fit the stored form, names unique, Chinese names first', () => {
  const codes = new Set<string>();
  for (const v of VACCINES) {
    assert.match(v.code, /^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/);
    assert.ok(!codes.has(v.code));
    codes.add(v.code);
    assert.ok(v.names.includes(v.zh), v.code);
    assert.equal(vaccineZh(v.code), v.zh);
    assert.equal(v.programme, v.schedule.length > 0, v.code);
    v.schedule.forEach((d, i) => {
      assert.equal(d.dose, i + 1);
      if (i > 0) assert.ok(d.ageMonths >= v.schedule[i - 1]!.ageMonths);
    });
    if (v.alternativeOf) assert.ok(vaccineByCode(v.alternativeOf)?.programme);
    if (v.countsToward) assert.ok(vaccineByCode(v.countsToward)?.programme);
  }
  assert.equal(vaccineZh('OLD-CODE'), 'OLD-CODE');
});

test('the 2021 programme schedule (国家免疫规划疫苗儿童免疫程序表)', () => {
  const ages = (code: string): number[] => vaccineByCode(code)!.schedule.map((d) => d.ageMonths);
  assert.deepEqual(ages('HepB'), [0, 1, 6]);
  assert.deepEqual(ages('BCG'), [0]);
  assert.deepEqual(ages('IPV'), [2, 3]);
  assert.deepEqual(ages('bOPV'), [4, 48]);
  assert.deepEqual(ages('DTaP'), [3, 4, 5, 18]);
  assert.deepEqual(ages('DT'), [72]);
  assert.deepEqual(ages('MMR'), [8, 18]);
  assert.deepEqual(ages('JE-L'), [8, 24]);
  assert.deepEqual(ages('JE-I'), [8, 8, 24, 72]);
  assert.deepEqual(ages('MPSV-A'), [6, 9]);
  assert.deepEqual(ages('MPSV-AC'), [36, 72]);
  assert.deepEqual(ages('HepA-L'), [18]);
  assert.deepEqual(ages('HepA-I'), [18, 24]);
});

test('calendar months clamp to the end of the month', () => {
  assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
  assert.equal(addMonths('2024-01-31', 1), '2024-02-29');
  assert.equal(addMonths('2026-08-31', 6), '2027-02-28');
  assert.equal(addMonths('2026-12-15', 0), '2026-12-15');
  assert.equal(addMonths('2026-11-30', 3), '2027-02-28');
  assert.equal(addMonths('2026-03-31', 72), '2032-03-31');
});

test('a newborn with nothing given: the first dose of every programme vaccine, live defaults only', () => {
  const due = nextDue('2026-01-31', []);
  assert.deepEqual(due, [
    { vaccine: 'BCG', dose: 1, due: '2026-01-31' },
    { vaccine: 'HepB', dose: 1, due: '2026-01-31' },
    { vaccine: 'IPV', dose: 1, due: '2026-03-31' },
    { vaccine: 'DTaP', dose: 1, due: '2026-04-30' },
    { vaccine: 'bOPV', dose: 1, due: '2026-05-31' },
    { vaccine: 'MPSV-A', dose: 1, due: '2026-07-31' },
    { vaccine: 'JE-L', dose: 1, due: '2026-09-30' },
    { vaccine: 'MMR', dose: 1, due: '2026-09-30' },
    { vaccine: 'HepA-L', dose: 1, due: '2027-07-31' },
    { vaccine: 'MPSV-AC', dose: 1, due: '2029-01-31' },
    { vaccine: 'DT', dose: 1, due: '2032-01-31' },
  ]);
});

test('given doses move each vaccine on; names count like codes; a gap is due first', () => {
  const due = nextDue('2026-03-10', [
    { vaccine: 'HepB', dose: 1 },
    { vaccine: '乙肝疫苗', dose: 3 },
    { vaccine: 'BCG', dose: 1 },
    { vaccine: 'ipv', dose: 1 },
    { vaccine: 'IPV', dose: 2 },
  ]);
  assert.deepEqual(
    due.filter((d) => ['HepB', 'BCG', 'IPV', 'bOPV'].includes(d.vaccine)),
    [
      { vaccine: 'HepB', dose: 2, due: '2026-04-10' },
      { vaccine: 'bOPV', dose: 1, due: '2026-07-10' },
    ],
  );
});

test('a finished schedule is no longer due; the inactivated alternative is followed once started', () => {
  const given = [
    { vaccine: 'JE-I', dose: 1 },
    { vaccine: 'HepA-L', dose: 1 },
  ];
  const due = nextDue('2025-05-20', given);
  const je = due.filter((d) => d.vaccine.startsWith('JE'));
  assert.deepEqual(je, [{ vaccine: 'JE-I', dose: 2, due: '2026-01-20' }]);
  assert.equal(
    due.find((d) => d.vaccine.startsWith('HepA')),
    undefined,
  );
});

test('an MR dose of the 2016 schedule counts toward MMR', () => {
  // The synthetic city's older schedule: MR at 8 months, MMR at 18 months.
  let due = nextDue('2024-02-29', [{ vaccine: 'MR', dose: 1 }]);
  assert.deepEqual(
    due.find((d) => d.vaccine === 'MMR'),
    { vaccine: 'MMR', dose: 2, due: '2025-08-29' },
  );
  due = nextDue('2024-02-29', [
    { vaccine: 'MR', dose: 1 },
    { vaccine: 'MMR', dose: 1 },
  ]);
  assert.equal(
    due.find((d) => d.vaccine === 'MMR'),
    undefined,
  );
});

test('sorted by due date then code; a bad birth date throws without echoing it', () => {
  const due = nextDue('2026-06-01', []);
  for (let i = 1; i < due.length; i++) {
    const a = due[i - 1]!,
      b = due[i]!;
    assert.ok(a.due < b.due || (a.due === b.due && a.vaccine < b.vaccine));
  }
  assert.throws(
    () => nextDue('2026-02-30', []),
    (e: unknown) => e instanceof RangeError && !e.message.includes('2026'),
  );
});
