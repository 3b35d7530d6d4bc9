/**
 * Aggregates: random rounding by cell key and small-cell suppression over the rounded counts, as pure
 * functions; the differencing attack (two answers, one record added between them) never recovering a
 * withheld cell; and counts over the records of a vault for those who may see aggregates only,
 * recomputed when the records change, the same answer for the same records.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { feasible, type Snapshot } from '../../test/helpers/differencing.ts';
import { births, personalValues, serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { createOrganisation } from './directory.ts';
import { Services } from './services.ts';
import {
  MIN_CELL,
  ROUNDING_BASE,
  STATS_DIMENSIONS,
  roundByKey,
  suppress,
  type StatsCell,
  type StatsResult,
} from './stats.ts';

const cells = (...c: [string, number | null][]): StatsCell[] =>
  c.map(([value, count]) => ({ value, count, suppressed: count === null }));

/** A cell is shown from this rounded count: it proves at least MIN_CELL records. */
const SHOWN_FROM = MIN_CELL + ROUNDING_BASE - 1;

describe('roundByKey', () => {
  test('a multiple of the base stays; another count goes up with probability (count mod base) / base', () => {
    assert.equal(roundByKey(15, 0.99), 15);
    assert.equal(roundByKey(0, 0.5), 0);
    assert.equal(roundByKey(12, 0.39), 15);
    assert.equal(roundByKey(12, 0.4), 10);
    assert.equal(roundByKey(14, 0.79), 15);
    assert.equal(roundByKey(14, 0.8), 10);
    assert.equal(roundByKey(7, 0.5, 1), 7);
  });

  test('for any count: a neighbouring multiple of the base, and unbiased over the keys', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 10 }), (count, base) => {
        // Keys spread evenly over [0, 1): their mean rounding is the count itself.
        const n = 1000 * base;
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const q = roundByKey(count, (i + 0.5) / n, base);
          assert.equal(q % base, 0);
          assert.ok(Math.abs(q - count) < base, `${count} → ${q}`);
          sum += q;
        }
        assert.equal(sum / n, count);
      }),
      { numRuns: 50 },
    );
  });
});

describe('suppress', () => {
  test('cells whose rounded count proves the minimum are shown, sorted by value, with their total', () => {
    const r = suppress(
      new Map([
        ['b', 15],
        ['a', 30],
      ]),
    );
    assert.deepEqual(r, { total: 45, cells: cells(['a', 30], ['b', 15]) });
  });

  test('a rounded 10 may hold 6 records: withheld, and a lone withheld cell takes the smallest shown with it', () => {
    const r = suppress(
      new Map([
        ['a', 20],
        ['b', 15],
        ['c', 10],
        ['d', 40],
        ['e', 15],
      ]),
    );
    // The total is the sum of every rounded count, the withheld ones included.
    assert.deepEqual(r, { total: 100, cells: cells(['a', 20], ['b', null], ['c', null], ['d', 40], ['e', 15]) });
    const two = suppress(
      new Map([
        ['a', 5],
        ['b', 0],
        ['c', 50],
      ]),
    );
    assert.deepEqual(two, { total: 55, cells: cells(['a', null], ['b', null], ['c', 50]) });
  });

  test('a total under the threshold is withheld', () => {
    const r = suppress(
      new Map([
        ['a', 5],
        ['b', 5],
      ]),
    );
    assert.deepEqual(r, { total: null, cells: cells(['a', null], ['b', null]) });
    assert.deepEqual(suppress(new Map([['a', 10]])), { total: null, cells: cells(['a', null]) });
    assert.deepEqual(suppress(new Map()), { total: null, cells: [] });
  });

  test('takes another minimum and base; with base 1 the counts are exact', () => {
    const counts = new Map([
      ['a', 3],
      ['b', 4],
    ]);
    assert.deepEqual(suppress(counts, 3, 1), { total: 7, cells: cells(['a', 3], ['b', 4]) });
    assert.deepEqual(suppress(counts, 4, 1), { total: 7, cells: cells(['a', null], ['b', null]) });
  });

  test('for any rounded counts: shown cells prove the minimum, never exactly one withheld, the total their sum', () => {
    const counts = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 3 }),
      fc.integer({ min: 0, max: 12 }).map((n) => n * ROUNDING_BASE),
      { minKeys: 2, maxKeys: 8 },
    );
    fc.assert(
      fc.property(counts, (dict) => {
        const input = new Map(Object.entries(dict));
        const r = suppress(input);
        const sum = [...input.values()].reduce((a, b) => a + b, 0);
        assert.deepEqual(
          r.cells.map((c) => c.value),
          [...input.keys()].sort(),
        );
        for (const c of r.cells) {
          assert.equal(c.count === null, c.suppressed);
          if (!c.suppressed) assert.ok(c.count === input.get(c.value) && c.count >= SHOWN_FROM);
          if (input.get(c.value)! < SHOWN_FROM) assert.ok(c.suppressed, 'a small cell is withheld');
        }
        assert.notEqual(r.cells.filter((c) => c.suppressed).length, 1);
        const large = r.cells.filter((c) => c.suppressed && input.get(c.value)! >= SHOWN_FROM);
        assert.ok(large.length <= 1, 'at most one cell is withheld beyond the small ones');
        assert.equal(r.total, sum < SHOWN_FROM ? null : sum);
      }),
    );
  });
});

describe('differencing', () => {
  /** An answer as the service gives it, from true counts and cell keys. */
  const answer = (counts: readonly number[], keys: readonly number[]): Snapshot => ({
    minCell: MIN_CELL,
    roundingBase: ROUNDING_BASE,
    ...suppress(new Map(counts.map((c, i) => [`v${i}`, roundByKey(c, keys[i]!)] as const))),
  });

  test('for any table: one record added never leaves a withheld cell with a single candidate count', () => {
    const table = fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 2, maxLength: 3 });
    const key = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
    fc.assert(
      fc.property(table, fc.array(key, { minLength: 4, maxLength: 4 }), fc.nat(), (counts, keys, at) => {
        const added = at % counts.length;
        // The same records keep their key; the cell that gained one is rounded by a new key.
        const s1 = answer(counts, keys);
        const s2 = answer(
          counts.map((c, i) => (i === added ? c + 1 : c)),
          keys.map((k, i) => (i === added ? keys[3]! : k)),
        );
        for (const c of s1.cells.filter((x) => x.suppressed)) {
          const candidates = feasible(s1, s2, `v${added}`, c.value, 22);
          assert.ok(candidates.includes(counts[Number(c.value.slice(1))]!), JSON.stringify([candidates, s1, s2]));
          assert.ok(candidates.length >= 2, JSON.stringify([c.value, candidates, s1, s2]));
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** Checks an answer against the true counts: rounded within the base, shown only when large enough. */
function assertProtected(r: StatsResult, truth: ReadonlyMap<string, number>): void {
  const json = JSON.stringify(r);
  assert.equal(r.roundingBase, ROUNDING_BASE);
  assert.deepEqual(r.cells.map((c) => c.value).sort(), [...truth.keys()].sort(), json);
  for (const c of r.cells) {
    assert.equal(c.count === null, c.suppressed, json);
    if (c.count === null) continue;
    const n = truth.get(c.value)!;
    assert.ok(c.count % ROUNDING_BASE === 0 && Math.abs(c.count - n) < ROUNDING_BASE && n >= MIN_CELL, json);
  }
  assert.notEqual(r.cells.filter((c) => c.suppressed).length, 1, json);
  const sum = [...truth.values()].reduce((a, b) => a + b, 0);
  if (r.total !== null) {
    assert.ok(r.total % ROUNDING_BASE === 0 && Math.abs(r.total - sum) < ROUNDING_BASE * truth.size, json);
  }
}

for (const backend of BACKENDS) {
  describe(`stats on ${backend.name}`, () => {
    let sv: ServiceVault;
    let names: Record<'hospital' | 'clinic', string>;
    before(async () => {
      sv = await serviceVault(backend);
      const org = async (id: string) => (await sv.vault.organisation(id))!.name;
      names = { hospital: await org(sv.orgs.hospital), clinic: await org(sv.orgs.clinic) };
    });
    after(async () => {
      await sv?.close();
    });

    test('counts by hospital, protected, recounted when records are collected or erased', async () => {
      const stats = sv.services.stats;
      const head = await sv.head();
      const small = await stats.count(sv.as.statistician, 'hospital');
      assert.deepEqual(
        { ...small, total: undefined, cells: undefined },
        {
          groupBy: 'hospital',
          recordType: 'birth',
          minCell: MIN_CELL,
          roundingBase: ROUNDING_BASE,
          total: undefined,
          cells: undefined,
        },
      );
      // Twelve and four: the clinic's cell is small, so the hospital's is withheld with it.
      const counts = (r: typeof small) => Object.fromEntries(r.cells.map((c) => [c.value, c.count]));
      assert.deepEqual(counts(small), { [names.clinic]: null, [names.hospital]: null });
      assertProtected(
        small,
        new Map([
          [names.hospital, 12],
          [names.clinic, 4],
        ]),
      );
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.principalId], ['aggregate', 'ok', sv.as.statistician.principal.id]);
      assert.deepEqual(e.detail, { groupBy: 'hospital', recordType: 'birth', cells: 2 });

      const more15 = births(15, 'stats-more');
      sv.personal.push(...personalValues(more15));
      await sv.services.records.collectMany(sv.as.clinicClerk, 'birth', more15);
      const more = await stats.count(sv.as.statistician, 'hospital');
      assertProtected(
        more,
        new Map([
          [names.hospital, 12],
          [names.clinic, 19],
        ]),
      );
      await sv.services.records.erase(sv.as.dpo, sv.records.hospital[0]!, 'data_subject_request');
      const fewer = await stats.count(sv.as.dpo, 'hospital');
      assertProtected(
        fewer,
        new Map([
          [names.hospital, 11],
          [names.clinic, 19],
        ]),
      );
      // The same records give the same answer, asked again or counted afresh by another process.
      assert.deepEqual(await stats.count(sv.as.dpo, 'hospital'), fewer);
      const again = await Services.open(sv.vault);
      assert.deepEqual(await again.stats.count(sv.as.dpo, 'hospital'), fewer);
    });

    test('every dimension: small cells never shown, never exactly one withheld, no personal value', async () => {
      for (const by of STATS_DIMENSIONS) {
        const r = await sv.services.stats.count(sv.as.auditor, by);
        assert.ok(r.total === null || Math.abs(r.total - 30) < ROUNDING_BASE * r.cells.length, by);
        for (const c of r.cells) {
          assert.ok(c.suppressed ? c.count === null : c.count! >= SHOWN_FROM, JSON.stringify(c));
        }
        assert.notEqual(r.cells.filter((c) => c.suppressed).length, 1, by);
        sv.assertNoPersonal(JSON.stringify(r));
      }
      const sexes = await sv.services.stats.count(sv.as.investigator, 'babySex');
      assert.ok(
        sexes.cells.every((c) => ['male', 'female', 'unknown'].includes(c.value)),
        JSON.stringify(sexes),
      );
      const months = await sv.services.stats.count(sv.as.investigator, 'birthMonth');
      assert.ok(
        months.cells.every((c) => /^\d{4}-\d{2}$/.test(c.value)),
        JSON.stringify(months),
      );
    });

    test('refused to those who see rows; a dimension or record type that does not exist', async () => {
      const stats = sv.services.stats;
      const head = await sv.head();
      await sv.refused(stats.count(sv.as.clinician, 'hospital'), 'ERR_FORBIDDEN');
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail], ['aggregate', 'denied', { area: 'stats' }]);
      const bad = await sv.refused(stats.count(sv.as.statistician, 'motherName'), 'ERR_INVALID_FIELD');
      assert.deepEqual(bad.details, { field: 'groupBy', rule: 'dimension' });
      await sv.refused(stats.count(sv.as.statistician, 'hospital', 'ship'), 'ERR_UNKNOWN_SCHEMA');
      assert.deepEqual(await stats.count(sv.as.statistician, 'hospital', 'vehicle'), {
        groupBy: 'hospital',
        recordType: 'vehicle',
        minCell: MIN_CELL,
        roundingBase: ROUNDING_BASE,
        total: null,
        cells: [],
      });
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });

  describe(`stats on ${backend.name}: differencing two answers`, () => {
    let sv: ServiceVault;
    before(async () => {
      sv = await serviceVault(backend);
    });
    after(async () => {
      await sv?.close();
    });

    test('one record added between two answers does not give a withheld cell away', async () => {
      // Twelve records at the hospital, four at the clinic, and eleven at a third hospital (its name sorts
      // after the first's). Counted exactly, the clinic's cell was withheld with the third's, then, the
      // third's grown to twelve, with the first's: 27 - 12 - (12 - 1) = 4, the clinic's count.
      const admin = { id: sv.as.admin.principal.id, orgId: sv.orgs.operator };
      const third = await createOrganisation(sv.vault, admin, { name: '济南市妇幼保健院', kind: 'hospital' });
      const clerk = await sv.principal({ displayName: 'thirdClerk', roles: ['records_clerk'], orgId: third });
      const name = async (id: string) => (await sv.vault.organisation(id))!.name;
      const [clinic, thirdName] = [await name(sv.orgs.clinic), await name(third)];
      const eleven = births(11, 'stats-third');
      const one = births(1, 'stats-third-one');
      sv.personal.push(...personalValues([...eleven, ...one]));
      await sv.services.records.collectMany(clerk, 'birth', eleven);
      const s1 = await sv.services.stats.count(sv.as.statistician, 'hospital');
      const [added] = await sv.services.records.collectMany(clerk, 'birth', one);
      const s2 = await sv.services.stats.count(sv.as.statistician, 'hospital');
      assert.ok(s1.cells.find((c) => c.value === clinic)?.suppressed, JSON.stringify(s1));
      // The attacker's candidates for each cell withheld before: never one alone, and always the truth among them.
      const truth = new Map([
        [clinic, 4],
        [await name(sv.orgs.hospital), 12],
        [thirdName, 11],
      ]);
      for (const c of s1.cells.filter((x) => x.suppressed)) {
        const counts = feasible(s1, s2, thirdName, c.value);
        assert.ok(counts.includes(truth.get(c.value)!), `${c.value}: ${JSON.stringify([counts, s1, s2])}`);
        assert.ok(counts.length >= 2, `${c.value} recovered: ${JSON.stringify([counts, s1, s2])}`);
      }
      // Erasing the record added gives the first answer back: the same records, the same rounding.
      await sv.services.records.erase(sv.as.dpo, added!.id, 'data_subject_request');
      assert.deepEqual(await sv.services.stats.count(sv.as.statistician, 'hospital'), s1);
    });
  });
}
