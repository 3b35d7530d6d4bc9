import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterReports, maskCaller, normaliseCaller, normaliseClaim, type ClusterInput } from './reports-cluster.ts';
import { complaintTable } from './reports-complaints.ts';

const row = (id: string, claim: string, caller: string | null, extra: Partial<ClusterInput> = {}): ClusterInput => ({
  id,
  recordId: `r_${id}`,
  calledAt: `2026-03-0${id.length}T10:00:00.000Z`,
  knew: ['babyName'],
  claimRef: claim,
  callerRef: caller,
  claimedToBe: claim,
  callerMasked: caller && `171****${caller}`,
  ...extra,
});

describe('reported calls, clustered', () => {
  test('a shared claim or number joins reports, transitively; the rest stay apart', () => {
    const c = clusterReports([
      row('a', 'photographer', '1111'),
      row('b', 'photographer', null),
      row('c', 'social-security', '1111', { knew: ['hospital', 'babyName'] }),
      row('d', 'bank', '2222'),
    ]);
    assert.equal(c.length, 2);
    assert.deepEqual(c[0]!.reportIds, ['a', 'b', 'c']);
    assert.equal(c[0]!.families, 3);
    assert.deepEqual(c[0]!.callers, [{ ref: '1111', masked: '171****1111', reports: 2 }]);
    assert.deepEqual(c[0]!.knew, [
      { field: 'babyName', reports: 3 },
      { field: 'hospital', reports: 1 },
    ]);
    assert.deepEqual(c[1]!.reportIds, ['d']);
  });

  test('the rows of one report (one per child) count once', () => {
    const c = clusterReports([row('a', 'x', null), row('a', 'x', null, { recordId: 'r_twin' })]);
    assert.equal(c[0]!.reports, 1);
    assert.equal(c[0]!.families, 2);
  });

  test('claims and numbers as compared; numbers as shown', () => {
    assert.equal(normaliseClaim(' 妇幼 保健院-摄影师！ '), normaliseClaim('妇幼保健院摄影师'));
    assert.equal(normaliseCaller('+86 171-0531-7788'), '17105317788');
    assert.equal(normaliseCaller('０５３１ ８８８８６６６６'), '053188886666');
    assert.equal(maskCaller('17105317788'), '171****7788');
    assert.equal(maskCaller('95555'), '95***');
  });

  test('a complaint row holds only the fields the caller knew, and the time of the call', () => {
    const values = new Map<string, string>([
      ['babyName', '王小明'],
      ['hospital', '济南市妇幼保健院'],
      ['motherPhone', '13905311234'],
    ]);
    const t = complaintTable([
      { calledAt: '2026-03-02T02:00:00.000Z', knew: ['babyName', 'vaccinations'], values },
      { calledAt: '2026-03-03T02:00:00.000Z', knew: ['hospital', 'motherPhone'], values },
    ]);
    assert.deepEqual(
      t.columns.map((c) => c.target),
      ['babyName', 'hospital', 'motherPhone', 'calledAt'],
    );
    assert.deepEqual(
      t.rows[0]!.obs.map((o) => o.target),
      ['babyName'],
    );
    assert.deepEqual(t.rows[0]!.empty, [], 'a field not ticked says nothing of when the copy was taken');
    assert.equal(Date.parse(t.rows[1]!.calledAt!), Date.parse('2026-03-03T02:00:00.000Z'));
    assert.deepEqual(
      t.rows[1]!.obs.map((o) => o.target),
      ['hospital', 'motherPhone'],
    );
  });
});
