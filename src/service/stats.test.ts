/**
 * Aggregates: small-cell suppression as a pure function (a cell under the minimum is withheld, a
 * lone small cell takes the next smallest with it, a small total is withheld), and counts over the
 * records of a vault for those who may see aggregates only, recomputed when the records change.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { births, personalValues, serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { MIN_CELL, STATS_DIMENSIONS, suppress, type StatsCell } from './stats.ts';

const cells = (...c: [string, number | null][]): StatsCell[] =>
  c.map(([value, count]) => ({ value, count, suppressed: count === null }));

describe('suppress', () => {
  test('cells at or over the minimum are shown, sorted by value, with their total', () => {
    const r = suppress(
      new Map([
        ['b', 10],
        ['a', 30],
      ]),
    );
    assert.deepEqual(r, { total: 40, cells: cells(['a', 30], ['b', 10]) });
  });

  test('a single small cell takes the next smallest with it, so the total cannot give it away', () => {
    const r = suppress(
      new Map([
        ['a', 20],
        ['b', 15],
        ['c', 3],
        ['d', 40],
      ]),
    );
    assert.deepEqual(r, { total: 78, cells: cells(['a', 20], ['b', null], ['c', null], ['d', 40]) });
    // Two small cells already hide each other.
    const two = suppress(
      new Map([
        ['a', 3],
        ['b', 4],
        ['c', 50],
      ]),
    );
    assert.deepEqual(two, { total: 57, cells: cells(['a', null], ['b', null], ['c', 50]) });
  });

  test('a total under the minimum is withheld', () => {
    assert.deepEqual(
      suppress(
        new Map([
          ['a', 4],
          ['b', 5],
        ]),
      ),
      { total: null, cells: cells(['a', null], ['b', null]) },
    );
    assert.deepEqual(suppress(new Map([['a', 7]])), { total: null, cells: cells(['a', null]) });
    assert.deepEqual(suppress(new Map()), { total: null, cells: [] });
  });

  test('takes another minimum', () => {
    assert.deepEqual(
      suppress(
        new Map([
          ['a', 3],
          ['b', 4],
        ]),
        3,
      ),
      { total: 7, cells: cells(['a', 3], ['b', 4]) },
    );
  });

  test('for any counts: no small cell shown, never exactly one withheld, the total only when large', () => {
    const counts = fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 40 }), {
      minKeys: 2,
      maxKeys: 8,
    });
    fc.assert(
      fc.property(counts, fc.integer({ min: 1, max: 20 }), (dict, min) => {
        const input = new Map(Object.entries(dict));
        const r = suppress(input, min);
        const sum = [...input.values()].reduce((a, b) => a + b, 0);
        assert.deepEqual(
          r.cells.map((c) => c.value),
          [...input.keys()].sort(),
        );
        for (const c of r.cells) {
          assert.equal(c.count === null, c.suppressed);
          if (!c.suppressed) assert.equal(c.count, input.get(c.value));
          if (input.get(c.value)! < min) assert.ok(c.suppressed, 'a small cell is withheld');
        }
        assert.notEqual(r.cells.filter((c) => c.suppressed).length, 1);
        const large = r.cells.filter((c) => c.suppressed && input.get(c.value)! >= min);
        assert.ok(large.length <= 1, 'at most one cell is withheld beyond the small ones');
        assert.equal(r.total, sum < min ? null : sum);
      }),
    );
  });
});

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

    test('counts by hospital, suppressed while small, recounted when records are collected or erased', async () => {
      const stats = sv.services.stats;
      const head = await sv.head();
      const small = await stats.count(sv.as.statistician, 'hospital');
      assert.deepEqual(
        { ...small, cells: undefined },
        {
          groupBy: 'hospital',
          recordType: 'birth',
          minCell: MIN_CELL,
          total: 16,
          cells: undefined,
        },
      );
      // Twelve and four: the clinic's cell is small, so the hospital's is withheld with it.
      const counts = (r: typeof small) =>
        Object.fromEntries(r.cells.map((c) => [c.value, c.suppressed ? null : c.count]));
      assert.deepEqual(counts(small), { [names.clinic]: null, [names.hospital]: null });
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.principalId], ['aggregate', 'ok', sv.as.statistician.principal.id]);
      assert.deepEqual(e.detail, { groupBy: 'hospital', recordType: 'birth', cells: 2 });

      const more10 = births(10, 'stats-more');
      sv.personal.push(...personalValues(more10));
      await sv.services.records.collectMany(sv.as.clinicClerk, 'birth', more10);
      const more = await stats.count(sv.as.statistician, 'hospital');
      assert.equal(more.total, 26);
      assert.deepEqual(counts(more), { [names.clinic]: 14, [names.hospital]: 12 });
      await sv.services.records.erase(sv.as.dpo, sv.records.hospital[0]!, 'data_subject_request');
      const fewer = await stats.count(sv.as.dpo, 'hospital');
      assert.deepEqual(counts(fewer), { [names.clinic]: 14, [names.hospital]: 11 });
    });

    test('every dimension: no small cell shown, never exactly one withheld, no personal value', async () => {
      for (const by of STATS_DIMENSIONS) {
        const r = await sv.services.stats.count(sv.as.auditor, by);
        assert.equal(r.total, 25, by);
        for (const c of r.cells) assert.ok(c.suppressed ? c.count === null : c.count! >= MIN_CELL, JSON.stringify(c));
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
        total: null,
        cells: [],
      });
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
