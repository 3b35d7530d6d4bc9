import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { generateCity } from '../synth/city.ts';
import { snapshot } from '../synth/snapshot.ts';
import { BIRTH, fieldDef, validateRecord } from '../schema/record-type.ts';
import { KINDS, type FieldValue } from '../schema/field-kind.ts';
import { channelFor, virtualKey } from './fingerprint.ts';
import { TardosCode, scoreTerm, innocentTail, chernoffTail } from './tardos.ts';
import {
  accused,
  contradictedRows,
  markRow,
  observe,
  scoreCandidates,
  scoreOwnPositions,
  VERIFIED_TAIL,
} from './marks.ts';
import { writeExport } from './export-writer.ts';
import { openSource } from '../ingest/readers.ts';

const NOW = { now: new Date('2027-01-01T00:00:00Z') };
const families = (() => {
  const out: Record<string, FieldValue>[] = [];
  for (const f of generateCity({ seed: 'fingerprint', families: 600 }).families()) {
    const v = validateRecord(BIRTH, snapshot(f), NOW);
    assert.ok(v.ok);
    out.push(Object.fromEntries(v.record.values));
  }
  return out;
})();
const key = (label: string) => createHmac('sha256', 'test').update(label).digest();
const code = new TardosCode(key('bias'));

test('every rendering of every channel normalises back to the stored value, and reads back as its symbol', () => {
  const fields = BIRTH.fields.filter((d) => channelFor(d.kind));
  assert.deepEqual(
    fields.map((f) => f.name),
    ['babySex', 'birthTime', 'motherPhone', 'fatherPhone', 'address', 'dischargeTime', 'vaccinations'],
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: families.length - 1 }),
      fc.constantFrom(...fields),
      fc.constantFrom(0 as const, 1 as const),
      (i, def, bit) => {
        const value = families[i]![def.name];
        if (value === undefined) return true;
        const channel = channelFor(def.kind)!;
        const r = channel.render(value, bit);
        if (r === undefined) return def.kind === 'address';
        const back = KINDS[def.kind].parse(r, NOW);
        assert.ok(back.ok, `${def.name} ${bit}`);
        assert.deepEqual(back.value, value);
        assert.equal(channel.detect(r), bit);
        // The stored (canonical) form carries no symbol: a normalised copy reads as missing.
        assert.equal(channel.detect(typeof value === 'string' ? value : JSON.stringify(value)), undefined);
        return true;
      },
    ),
    { numRuns: 2000 },
  );
});

test('Tardos: innocent terms have mean 0 and variance 1; the tail bound holds empirically', () => {
  for (const p of [0.05, 0.2, 0.5, 0.9]) {
    const mean = p * scoreTerm(1, 1, p) + (1 - p) * scoreTerm(0, 1, p);
    const variance = p * scoreTerm(1, 1, p) ** 2 + (1 - p) * scoreTerm(0, 1, p) ** 2;
    assert.ok(Math.abs(mean) < 1e-12 && Math.abs(variance - 1) < 1e-12);
  }
  // 2,000 innocent codewords against one leaked word over 300 positions: the bound is never beaten.
  const positions = Array.from({ length: 300 }, (_, i) => `pos${i}`);
  const leaker = key('leaker');
  const y = new Map(positions.map((pos) => [pos, code.symbol(leaker, pos)]));
  let worst = 1;
  for (let j = 0; j < 2000; j++) {
    const s = scoreCandidates(code, y, [{ id: String(j), key: key(`innocent${j}`) }])[0]!;
    worst = Math.min(worst, s.tail);
  }
  assert.ok(worst > 1e-5, `an innocent reached ${worst}`);
  const guilty = scoreCandidates(code, y, [{ id: 'g', key: leaker }])[0]!;
  assert.ok(guilty.tail < 1e-12, String(guilty.tail));
  // The Chernoff bound used for accusations is never looser than Bernstein's.
  const tail = chernoffTail(positions.map((pos) => ({ p: code.bias(pos), y: y.get(pos)! })));
  for (const s of [5, 20, 60, 150])
    assert.ok(tail(s) <= innocentTail(s, positions.length, code.termBound) + 1e-15, String(s));
  assert.equal(innocentTail(-3, 10, code.termBound), 1);
});

const FIELDS = BIRTH.fields.map((f) => f.name);

/** An export: each disclosure gets 300 of the families, marked with its own key. */
function exportFor(id: string, from: number): Record<string, FieldValue>[] {
  return families.slice(from, from + 300).map((row) => markRow(BIRTH, row, code, key(id)));
}

async function reread(
  rows: Record<string, FieldValue>[],
  columns: string[],
  dir: string,
  format: 'gbk' | 'xlsx',
): Promise<Record<string, unknown>[]> {
  const file = join(dir, `leak.${format === 'xlsx' ? 'xlsx' : 'csv'}`);
  if (format === 'xlsx') writeFileSync(file, await writeExport('xlsx', columns, rows));
  else
    writeFileSync(
      file,
      iconv.encode((await writeExport('csv', columns, rows)).toString('utf8').replace(/^\uFEFF/, ''), 'gbk'),
    );
  const out: Record<string, unknown>[] = [];
  for await (const r of openSource(file).rows()) out.push({ ...r.cells });
  return out;
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const rng = fc.sample(fc.integer(), { seed, numRuns: xs.length });
  return xs
    .map((x, i) => [rng[i]!, x] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, x]) => x);
}

test(
  'a leaked subset, reordered, two columns dropped, re-saved as GBK CSV or XLSX, ' +
    'with 40% rows from elsewhere, names its disclosure',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-fp-'));
    try {
      const candidates = Array.from({ length: 200 }, (_, j) => ({ id: `d${j}`, key: key(`d${j}`) }));
      const leakedExport = exportFor('d17', 0);
      const kept = shuffle(leakedExport, 1).slice(0, 90); // 30%
      const noise = families.slice(300, 360).map((r) => ({ ...r })); // 40% of the leak: rows from elsewhere
      const columns = FIELDS.filter((f) => f !== 'bed' && f !== 'fatherName');
      for (const format of ['gbk', 'xlsx'] as const) {
        const leak = await reread(shuffle([...kept, ...noise], 2), columns, dir, format);
        const scores = scoreCandidates(code, observe(BIRTH, leak), candidates);
        assert.deepEqual(
          accused(scores, 1e-6).map((s) => s.id),
          ['d17'],
          format,
        );
      }
      // Every value normalised (marks erased): no one is accused.
      const normalised = kept.map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([f, v]) => {
            const parsed = KINDS[fieldDef(BIRTH, f)!.kind].parse(v, NOW);
            return [f, parsed.ok ? parsed.value : v];
          }),
        ),
      );
      const none = scoreCandidates(code, observe(BIRTH, normalised), candidates);
      assert.deepEqual(accused(none, 1e-6), []);
      assert.equal(none[0]!.positions, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('two colluders merging their copies are both identified once enough rows leak', () => {
  const candidates = Array.from({ length: 200 }, (_, j) => ({ id: `d${j}`, key: key(`d${j}`) }));
  const a = exportFor('d3', 0),
    b = exportFor('d150', 0);
  // The same families from both; where the copies differ the merge keeps either at random.
  const merged = a.map((row, i) =>
    Object.fromEntries(Object.keys(row).map((f) => [f, (i + f.length) % 2 ? row[f] : b[i]![f]])),
  );
  const scores = scoreCandidates(code, observe(BIRTH, merged), candidates);
  assert.deepEqual(
    accused(scores, 1e-6)
      .map((s) => s.id)
      .sort(),
    ['d150', 'd3'],
  );
});

test('the virtual key survives reformatting of the phone', () => {
  assert.equal(virtualKey({ motherPhone: '138 1234 5678' }), virtualKey({ motherPhone: '138-1234-5678' }));
  assert.equal(
    virtualKey({ motherName: '张三', birthTime: '2026/11/20 03:17:00' }),
    virtualKey({ motherName: '张三', birthTime: '2026-11-20T03:17:00+08:00' }),
  );
  assert.equal(virtualKey({ babyName: 'x' }), undefined);
});

test('canaries: drawn like the rows they join, valid, without id numbers, the same for the same secret', async () => {
  const { mintCanaries, interleave, canaryPlan } = await import('./canary.ts');
  const { splitAddress } = await import('../schema/address.ts');
  const rows = families.slice(0, 200);
  const fields = FIELDS;
  const plan = canaryPlan(
    0.02,
    rows.map(() => 1),
  );
  assert.equal(plan.count, 4);
  const a = mintCanaries(BIRTH, rows, fields, key('disclosure-x'), plan, NOW.now);
  const b = mintCanaries(BIRTH, rows, fields, key('disclosure-x'), plan, NOW.now);
  assert.equal(a.length, 4);
  assert.deepEqual(
    a.map((c) => c.row),
    b.map((c) => c.row),
  );
  const hospitals = new Set(rows.map((r) => r.hospital));
  const places = new Set(rows.map((r) => `${r.hospital}|${splitAddress(String(r.address)).district}`));
  const births = rows.map((r) => Date.parse(String(r.birthTime)));
  for (const c of a) {
    assert.equal(c.row.motherResidentId, undefined);
    assert.equal(c.row.babyResidentId, undefined);
    assert.ok(hospitals.has(c.row.hospital));
    // Hospital and home district as a real row of the disclosure has them; born within days of one.
    assert.ok(places.has(`${c.row.hospital}|${splitAddress(String(c.row.address)).district}`));
    assert.ok(births.some((t) => Math.abs(t - Date.parse(String(c.row.birthTime))) < 4 * 86_400_000));
    assert.ok(validateRecord(BIRTH, c.row, NOW).ok);
  }
  assert.notDeepEqual(
    mintCanaries(BIRTH, rows, fields, key('disclosure-y'), plan, NOW.now).map((c) => c.row),
    a.map((c) => c.row),
  );
  const mixed = interleave(
    rows,
    a.map((c) => c.row),
    key('disclosure-x'),
  );
  assert.equal(mixed.length, 204);
  assert.deepEqual(
    mixed.filter((r) => !a.some((c) => c.row === r)),
    rows,
  );
});

test('canary plan: more canaries, and drawn like the rows, where other recipients hold the same rows', async () => {
  const { canaryPlan } = await import('./canary.ts');
  assert.equal(canaryPlan(0.02, []).count, 0);
  const alone = canaryPlan(0.02, Array(1000).fill(0));
  const one = canaryPlan(0.02, Array(1000).fill(1));
  const many = canaryPlan(0.02, Array(1000).fill(20));
  assert.deepEqual([alone.count, one.count, many.count], [10, 20, 29]);
  assert.equal(canaryPlan(0.02, [0, 0]).count, 1, 'at least one');
  const mixed = canaryPlan(0.02, [0, 5]);
  assert.ok(mixed.weights![1]! > 10 * mixed.weights![0]!);
});

test('a canary grown again later has lived: same family, a later snapshot of its history', async () => {
  const { mintCanaries, growCanary, canaryPlan } = await import('./canary.ts');
  const rows = families.slice(0, 100);
  const first = mintCanaries(
    BIRTH,
    rows,
    FIELDS,
    key('disclosure-z'),
    canaryPlan(
      0.05,
      rows.map(() => 1),
    ),
    new Date('2026-10-01T00:00:00Z'),
  );
  for (const c of first) {
    const later = growCanary(c.recipe, FIELDS, new Date('2027-06-01T00:00:00Z'))!;
    assert.equal(later.birthTime, c.row.birthTime);
    assert.equal(later.motherName, c.row.motherName);
    assert.equal(later.hospital, c.row.hospital);
    assert.ok((later.vaccinations as unknown[]).length >= ((c.row.vaccinations as unknown[] | undefined) ?? []).length);
  }
});

test('own positions: capped per candidate, the source still far past any threshold and an innocent not', () => {
  const code = new TardosCode(createHmac('sha256', 'k').update('bias').digest());
  const key = (id: string) => createHmac('sha256', 'k').update(id).digest();
  // One record (seq) per leaked row; its address is a position; the leak carries the source's symbols.
  const n = 3000;
  const vkeys = Array.from({ length: n }, (_, i) => `tel:139${String(i).padStart(8, '0')}`);
  const observed = new Map(
    vkeys.map((v) => [`${v}\u001faddress`, code.symbol(key('d_source'), `${v}\u001faddress`)] as const),
  );
  const rowsOf = new Map(vkeys.map((_, i) => [i + 1, [i]] as const));
  const received = vkeys.map((_, i) => [i + 1, ['address']] as const);
  const candidates = [
    { id: 'd_source', key: key('d_source'), received },
    { id: 'd_innocent', key: key('d_innocent'), received },
  ];
  const full = scoreOwnPositions(code, observed, vkeys, rowsOf, candidates, Infinity);
  const capped = scoreOwnPositions(code, observed, vkeys, rowsOf, candidates, 500);
  assert.ok(capped.get('d_source')! < 1e-30 && full.get('d_source')! < capped.get('d_source')!);
  assert.ok(capped.get('d_innocent')! > 1e-3 && full.get('d_innocent')! > 1e-3);
});

test(
  "rows whose marks disagree with a rival's codeword contradict it, " + "once the leak shows a source's marks intact",
  () => {
    const code = new TardosCode(createHmac('sha256', 'k').update('bias').digest());
    const key = (id: string) => createHmac('sha256', 'k').update(id).digest();
    const n = 200;
    const vkeys = Array.from({ length: n }, (_, i) => `tel:139${String(i).padStart(8, '0')}`);
    const fields = ['address', 'motherPhone', 'fatherPhone'];
    const pos = (i: number, f: string) => `${vkeys[i]}\u001f${f}`;
    const rowsOf = new Map(vkeys.map((_, i) => [i + 1, [i]] as const));
    const received = vkeys.map((_, i) => [i + 1, fields] as const);
    const candidates = ['d_source', 'd_rival', 'd_other'].map((id) => ({ id, key: key(id), received }));
    // The leak carries the source's symbols in every field.
    const leak = (symbol: (i: number, f: string) => 0 | 1) =>
      new Map(vkeys.flatMap((_, i) => fields.map((f) => [pos(i, f), symbol(i, f)] as const)));
    const intact = leak((i, f) => code.symbol(key('d_source'), pos(i, f)));
    const tails = scoreOwnPositions(code, intact, vkeys, rowsOf, candidates);
    assert.ok(tails.get('d_source')! <= VERIFIED_TAIL);
    const against = contradictedRows(code, intact, vkeys, rowsOf, candidates, tails);
    const count = (id: string) => [...against.values()].filter((ids) => ids.has(id)).length;
    assert.equal(count('d_source'), 0);
    assert.ok(count('d_rival') > n / 5 && count('d_other') > n / 5, `${count('d_rival')}, ${count('d_other')}`);
    // Nobody's marks intact (every symbol flipped by a re-rendering): no one is verified, nothing contradicted.
    const flipped = leak((i, f) => (1 - code.symbol(key('d_source'), pos(i, f))) as 0 | 1);
    assert.equal(
      contradictedRows(
        code,
        flipped,
        vkeys,
        rowsOf,
        candidates,
        scoreOwnPositions(code, flipped, vkeys, rowsOf, candidates),
      ).size,
      0,
    );
    // One field re-rendered, the others intact: that field is not read, and the source's rows still stand.
    const partly = leak((i, f) => (f === 'address' ? 0 : code.symbol(key('d_source'), pos(i, f))));
    const partTails = scoreOwnPositions(code, partly, vkeys, rowsOf, candidates);
    const partAgainst = contradictedRows(code, partly, vkeys, rowsOf, candidates, partTails);
    assert.ok(![...partAgainst.values()].some((ids) => ids.has('d_source')));
  },
);
