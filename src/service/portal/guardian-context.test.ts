import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GuardianChild } from '../../store/repos/guardians.ts';
import { ownChild } from './guardian-context.ts';

const child = (recordId: string, recordSeq: number): GuardianChild => ({
  recordId,
  recordSeq,
  relation: 'mother',
  enrolledAt: '2026-01-01T00:00:00.000Z',
  erasedAt: null,
});

test('ownChild: the guardian’s own child by id; any other id, however close, is none', () => {
  const mine = [child('r_aaaa', 1), child('r_bbbb', 2)];
  assert.equal(ownChild(mine, 'r_bbbb')?.recordSeq, 2);
  for (const id of ['r_cccc', 'r_bbb', 'r_bbbbb', 'R_BBBB', '', ' r_bbbb', '../r_bbbb'])
    assert.equal(ownChild(mine, id), undefined, id);
  assert.equal(ownChild([], 'r_aaaa'), undefined);
});
