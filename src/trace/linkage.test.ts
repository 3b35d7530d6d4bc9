/**
 * The pure parts of a trace: names by sound (polyphonic surnames, fuzzy initials), columns from
 * headers and values, masked values, graded agreement, versions, the false-accusation bound of the
 * evidence model, and the time window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzyKey, pinyinKey, surnameReadings } from '../schema/pinyin.ts';
import { inferColumns, kindOfValue, targetOfHeader } from './columns.ts';
import { leakRow, observe, parseWhen } from './leak-row.ts';
import { parseLeakText, tableOf } from './leak-file.ts';
import { compareValue, linkRow, type CandidateRecord } from './linkage.ts';
import { attribute, prepare, rowsOfLead, type SourceInput } from './evidence.ts';
import { bestCover, estimateWindow } from './window.ts';
import { Rng } from '../synth/random.ts';

const tf = { hospitals: 20, name: () => 1e-4 };

test('polyphonic surnames are read as surnames; homophones and fuzzy initials agree', () => {
  assert.equal(pinyinKey('曾小明'), 'zeng xiao ming');
  assert.equal(pinyinKey('单田芳'), 'shan tian fang');
  assert.equal(pinyinKey('解晓东').split(' ')[0], 'xie');
  assert.equal(pinyinKey('查良镛').split(' ')[0], 'zha');
  assert.deepEqual(surnameReadings('单'), ['shan', 'dan']);
  assert.equal(pinyinKey('张丽'), pinyinKey('章莉'));
  assert.equal(fuzzyKey('张宁'), fuzzyKey('臧玲'));
  assert.deepEqual(compareValue({ kind: 'personName', name: '章丽' }, 'motherName', '张丽', tf)[0], 'homophone');
  assert.deepEqual(compareValue({ kind: 'personName', name: '臧丽' }, 'motherName', '张丽', tf)[0], 'fuzzy');
  assert.deepEqual(compareValue({ kind: 'personName', name: '张*' }, 'motherName', '张丽', tf)[0], 'masked');
  assert.deepEqual(compareValue({ kind: 'personName', name: '王丽' }, 'motherName', '张丽', tf)[0], 'disagree');
});

test('columns from Chinese and English headers, and from values when the header says nothing', () => {
  assert.equal(targetOfHeader('母亲手机号'), 'motherPhone');
  assert.equal(targetOfHeader('联系电话'), '*phone');
  assert.equal(targetOfHeader('Birth Date'), 'birthTime');
  assert.equal(targetOfHeader('motherName'), 'motherName');
  assert.equal(kindOfValue('138****5678'), '*phone');
  assert.equal(kindOfValue('110101199003077777'), undefined, 'a bad check character is not an id');
  assert.equal(kindOfValue('11010119900307****'), '*residentId');
  assert.equal(kindOfValue('张三之子'), 'babyName');
  assert.deepEqual(
    inferColumns(
      [undefined, undefined, undefined],
      [
        ['李丽', '13812345678', '2026-05-01 08:30'],
        ['王芳', '139****1234', '2026-05-02'],
      ],
    ),
    ['*name', '*phone', 'birthTime'],
  );
});

test('masked and mistyped digits, transpositions, dates written many ways', () => {
  const m = (p: string) => compareValue(observe('*phone', p)!, 'motherPhone', '13812345678', tf)[0];
  assert.equal(m('138 1234 5678'), 'exact');
  assert.equal(m('138****5678'), 'masked');
  assert.equal(m('13812345578'), 'typo');
  assert.equal(m('13812346578'), 'typo', 'a transposition');
  assert.equal(m('13912340000'), 'disagree');
  assert.deepEqual(parseWhen('2026年5月1日 8时30分'), {
    date: '2026-05-01',
    minute: '08:30',
    iso: '2026-05-01T08:30:00+08:00',
  });
  assert.equal(parseWhen('2026-05-01T00:30:00Z')?.date, '2026-05-01');
  assert.equal(parseWhen('2026/13/01'), undefined);
  const t = parseLeakText('李丽，电话：13812345678 2026-05-01 08:30\n无关的一行\n');
  assert.equal(t.rows.length, 1);
  assert.deepEqual(
    t.rows[0]!.obs.map((o) => o.target),
    ['*name', '*phone', 'birthTime'],
  );
});

const rec = (
  seq: number,
  name: string,
  phone: string,
  versions: { field: string; value: string; from: string; to: string | null; version?: number }[] = [],
): CandidateRecord => ({
  seq,
  id: `r${seq}`,
  orgId: 'h1',
  createdAt: '2026-01-01T00:00:00+08:00',
  versions: [
    {
      field: 'motherName',
      version: 1,
      value: name,
      validFrom: '2026-01-01T00:00:00+08:00',
      validTo: null,
      recordedAt: '2026-01-01T00:00:00+08:00',
    },
    {
      field: 'motherPhone',
      version: 1,
      value: phone,
      validFrom: '2026-01-01T00:00:00+08:00',
      validTo: versions.length ? versions[0]!.from : null,
      recordedAt: '2026-01-01T00:00:00+08:00',
    },
    ...versions.map((v) => ({
      field: v.field,
      version: v.version ?? 2,
      value: v.value,
      validFrom: v.from,
      validTo: v.to,
      recordedAt: v.from,
    })),
  ],
});

test('a row links to the record version it shows, and an old value is stale', () => {
  const a = rec(1, '张丽', '13812345678', [
    { field: 'motherPhone', value: '13987654321', from: '2026-03-01T00:00:00+08:00', to: null },
  ]);
  const b = rec(2, '张力', '13812340000');
  const row = leakRow(2, ['motherName', 'motherPhone'], ['张丽', '138-1234-5678']);
  const l = linkRow(row, [a, b], tf)!;
  assert.equal(l.seq, 1);
  assert.equal(l.stale, true);
  assert.equal(l.matches.find((m) => m.field === 'motherPhone')!.version, 1);
  assert.equal(linkRow(leakRow(2, ['motherName'], ['张丽']), [a, b], tf), undefined, 'a name alone is not enough');
});

test('outside-source rows accuse nobody more often than epsilon allows (Markov bound)', () => {
  const rng = new Rng('evidence');
  let accused = 0;
  const trials = 300;
  for (let t = 0; t < trials; t++) {
    // 2,000 records in 4 strata; 10 sources, each received a random tenth (in one to four files,
    // or in reveals); a leak of 30 records drawn uniformly.
    const sources: SourceInput[] = Array.from({ length: 10 }, (_, s) => {
      const files = Array.from({ length: 1 + (s % 4) }, () => new Map<number, Map<string, number>>());
      let total = 0;
      for (let seq = 1; seq <= 2000; seq++) {
        if (!rng.chance(0.1)) continue;
        total++;
        files[rng.int(0, files.length - 1)]!.set(seq, new Map([['motherPhone', 1]]));
      }
      return {
        principalId: `p${s}`,
        totalRecords: total,
        disclosures: files.map((items, f) => ({
          id: `d${s}-${f}`,
          principalId: `p${s}`,
          at: '',
          channel: s === 9 ? 'api' : 'export',
          items,
        })),
      };
    });
    const rows = Array.from({ length: 30 }, () => {
      const seq = rng.int(1, 2000);
      return {
        seq,
        stratum: `s${seq % 4}`,
        matches: [
          {
            field: 'motherPhone',
            version: 1,
            level: 'exact' as const,
            weight: 20,
            stale: false,
            validFrom: '',
            validTo: null,
            recordedAt: '',
          },
        ],
      };
    });
    const v = attribute(
      prepare(
        rows,
        sources,
        new Map([
          ['s0', 500],
          ['s1', 500],
          ['s2', 500],
          ['s3', 500],
        ]),
        new Set(),
      ),
      { canaries: new Map(), fingerprints: new Map() },
      { epsilon: 0.05 },
    );
    if (v.accused) accused++;
  }
  assert.ok(accused / trials <= 0.05, `${accused} of ${trials}`);
});

test(
  'a record repeated in the leak counts once in the any-subset model; one export of many is judged as that file; ' +
    'a row whose marks contradict a disclosure is not consistent with it',
  () => {
    const match = {
      field: 'motherPhone',
      version: 1,
      level: 'exact' as const,
      weight: 20,
      stale: false,
      validFrom: '',
      validTo: null,
      recordedAt: '',
    };
    const items = new Map(Array.from({ length: 40 }, (_, i) => [i + 1, new Map([['motherPhone', 1]])] as const));
    const sources: SourceInput[] = [
      {
        principalId: 'p',
        totalRecords: 10_000,
        disclosures: [{ id: 'd', principalId: 'p', at: '', channel: 'export', items }],
      },
    ];
    const strata = new Map([['s', 1000]]);
    const none = { canaries: new Map(), fingerprints: new Map() };
    const rowsOf = (seqs: number[], contradicts?: ReadonlySet<string>) =>
      seqs.map((seq) => ({ seq, stratum: 's', matches: [match], contradicts }));
    const score = (rows: ReturnType<typeof rowsOf>) =>
      attribute(prepare(rows, sources, strata, new Set()), none, { epsilon: 1e-6 }).candidates[0]!;
    const distinct = Array.from({ length: 20 }, (_, i) => i + 1);
    // The same 20 records, each leaked three times: the leaker still chose 20 records, not 60.
    const repeated = score(rowsOf([...distinct, ...distinct, ...distinct]));
    assert.equal(repeated.consistentRows, 60);
    assert.ok(repeated.log10LRAnySubset > score(rowsOf(distinct)).log10LRAnySubset);
    // One month's export of a principal that exported every month: judged as that file, not diluted by the other
    // eleven.
    const months = Array.from({ length: 12 }, (_, m) => ({
      id: `m${m}`,
      principalId: 'clerk',
      at: '',
      channel: 'export',
      items: new Map(Array.from({ length: 40 }, (_, i) => [m * 40 + i + 1, new Map([['motherPhone', 1]])] as const)),
    }));
    const clerk = (ds: typeof months) =>
      attribute(
        prepare(rowsOf(distinct), [{ principalId: 'clerk', totalRecords: 480, disclosures: ds }], strata, new Set()),
        none,
        { epsilon: 1e-6 },
      ).candidates[0]!.log10LR;
    assert.ok(clerk(months) > clerk(months.map((d) => ({ ...d, channel: 'api' }))) + 10);
    // Contradicted by the rows' marks: no row is the source's, whatever versions it shows.
    assert.equal(score(rowsOf(distinct, new Set(['d']))).consistentRows, 0);
    assert.equal(score(rowsOf(distinct, new Set(['other']))).consistentRows, 20);
  },
);

test('a rival that received everything keeps the source company in the confidence set, but never pushes it out', () => {
  const match = {
    field: 'motherPhone',
    version: 1,
    level: 'exact' as const,
    weight: 20,
    stale: false,
    validFrom: '',
    validTo: null,
    recordedAt: '',
  };
  const given = (seqs: number[]) => new Map(seqs.map((seq) => [seq, new Map([['motherPhone', 1]])] as const));
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  // 40 strata of 500 records; the clinic received 200 records of one stratum; the data centre all 20,000.
  const sources: SourceInput[] = [
    {
      principalId: 'clinic',
      totalRecords: 200,
      disclosures: [{ id: 'c', principalId: 'clinic', at: '', channel: 'api', items: given(range(1, 200)) }],
    },
    {
      principalId: 'centre',
      totalRecords: 20_000,
      disclosures: [{ id: 'x', principalId: 'centre', at: '', channel: 'export', items: given(range(1, 20_000)) }],
    },
  ];
  // 17 rows from the clinic's records, 12 from records all over the city (noise only the centre holds).
  const rows = [...range(1, 17), ...range(0, 12).map((i) => 600 + i * 1500)].map((seq) => ({
    seq,
    stratum: `s${Math.floor((seq - 1) / 500)}`,
    matches: [match],
  }));
  const strata = new Map(range(0, 40).map((s) => [`s${s}`, 500] as const));
  const v = attribute(
    prepare(rows, sources, strata, new Set()),
    { canaries: new Map(), fingerprints: new Map() },
    { epsilon: 1e-6 },
  );
  const [centre, clinic] = [
    v.candidates.find((c) => c.principalId === 'centre')!,
    v.candidates.find((c) => c.principalId === 'clinic')!,
  ];
  // The centre's any-subset model explains more rows, by far more than |E|/ε...
  assert.ok(centre.log10LRAnySubset - clinic.log10Best > v.threshold);
  // ...but that maximum is no likelihood: the clinic is not excluded, and nobody is accused.
  const set = v.confidenceSets['0.000001']!;
  assert.ok(set.includes('clinic') && set.includes('centre'), set.join());
  assert.equal(v.accused, null);
});

test('an empty cell says "not yet" only in a column someone filled: a column empty in every row says nothing', () => {
  const header = ['母亲手机', '出生证号', '地址'];
  const t = tableOf('csv', header, [
    { line: 2, cells: ['13812345678', '', ''] },
    { line: 3, cells: ['13912345678', 'Q440112345', ''] },
  ]);
  assert.deepEqual(
    t.rows.map((r) => r.empty),
    [['birthCertificateNo'], []],
  );
});

test('the copy is dated by the rows of the leading source when it explains half of them', () => {
  const match = {
    field: 'motherPhone',
    version: 1,
    level: 'exact' as const,
    weight: 20,
    stale: false,
    validFrom: '',
    validTo: null,
    recordedAt: '',
  };
  const lead: SourceInput = {
    principalId: 'clerk',
    totalRecords: 3,
    disclosures: [
      {
        id: 'e',
        principalId: 'clerk',
        at: '',
        channel: 'export',
        items: new Map([1, 2, 3].map((seq) => [seq, new Map([['motherPhone', 1]])] as const)),
      },
    ],
  };
  const rows = [1, 2, 3, 9].map((seq) => ({ seq, stratum: 's', matches: [match] }));
  const strata = new Map([['s', 100]]);
  const dated = (rs: typeof rows, sources: SourceInput[]) => {
    const p = prepare(rs, sources, strata, new Set());
    return rowsOfLead(p, attribute(p, { canaries: new Map(), fingerprints: new Map() }, { epsilon: 1e-6 }));
  };
  // Record 9 (created after the export, say) is noise to the clerk: the window leaves it out.
  assert.deepEqual(dated(rows, [lead]), [0, 1, 2]);
  // ...even beside an account that received everything, whose any-subset model explains all four.
  const everything: SourceInput = {
    principalId: 'centre',
    totalRecords: 100,
    disclosures: [
      {
        id: 'x',
        principalId: 'centre',
        at: '',
        channel: 'export',
        items: new Map(Array.from({ length: 100 }, (_, i) => [i + 1, new Map([['motherPhone', 1]])] as const)),
      },
    ],
  };
  assert.deepEqual(dated(rows, [lead, everything]), [0, 1, 2]);
  // A source that explains fewer than half the rows dates nothing: all rows count.
  const more = [...rows, ...[7, 8, 9].map((seq) => ({ seq, stratum: 's', matches: [match] }))];
  assert.deepEqual(dated(more, [lead]), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(dated(rows, []), [0, 1, 2, 3]);
});

test('the window is where most rows agree, cut by the first call and by absent records', () => {
  assert.deepEqual(
    bestCover([
      { from: 0, to: 10 },
      { from: 5, to: 20 },
      { from: 6, to: 8 },
      { from: 30, to: 40 },
    ]),
    { from: 6, to: 8, count: 3 },
  );
  const w = estimateWindow(
    [
      { from: 0, to: Infinity },
      { from: 5, to: Infinity },
    ],
    { firstCall: 100 },
  );
  assert.equal(w.from, new Date(5).toISOString());
  assert.equal(w.to, new Date(100).toISOString());
  const full = estimateWindow(
    [
      { from: 0, to: Infinity },
      { from: 5, to: Infinity },
    ],
    { fraction: 1, laterCreations: [50, 60] },
  );
  assert.equal(full.to, new Date(50).toISOString());
});
