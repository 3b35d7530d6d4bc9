import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beijingToday, standingState } from './standing-state.ts';

describe('a standing export as the nurse reads it', () => {
  // 2026-12-05 01:00 UTC is 09:00 in Beijing, the same day.
  const now = Date.parse('2026-12-05T01:00:00Z');
  const open = { validTo: '2027-06-05', expiresAt: null };

  test("Beijing's day, whatever the computer's zone", () => {
    assert.equal(beijingToday(Date.parse('2026-12-04T16:30:00Z')), '2026-12-05');
    assert.equal(beijingToday(Date.parse('2026-12-04T15:59:00Z')), '2026-12-04');
  });

  test('waiting, approved, refused', () => {
    assert.equal(standingState({ ...open, status: 'pending' }, now), 'waiting');
    assert.equal(
      standingState({ status: 'approved', validTo: '2027-06-05', expiresAt: '2027-06-05T16:00:00.000Z' }, now),
      'approved',
    );
    assert.equal(standingState({ ...open, status: 'refused' }, now), 'refused');
  });

  test('expired once its period is over, approved or still waiting; its last day still holds', () => {
    const over = { validTo: '2026-12-04', expiresAt: '2026-12-04T16:00:00.000Z' };
    assert.equal(standingState({ ...over, status: 'approved' }, now), 'expired');
    assert.equal(standingState({ ...over, expiresAt: null, status: 'pending' }, now), 'expired');
    const lastDay = { validTo: '2026-12-05', expiresAt: '2026-12-05T16:00:00.000Z' };
    assert.equal(standingState({ ...lastDay, status: 'approved' }, now), 'approved');
    assert.equal(standingState({ ...lastDay, status: 'approved' }, Date.parse('2026-12-05T16:00:00Z')), 'expired');
  });
});
