import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEADLINE_WORKING_DAYS, requestDeadline } from './requests-deadline.ts';

test('a request received on a Monday is due at the end of the Monday three weeks on (UTC+8)', () => {
  // Monday 7 December 2026, 10:00 in Shanghai.
  assert.equal(requestDeadline(new Date('2026-12-07T02:00:00Z')), '2026-12-28T15:59:59.999Z');
});

test('the day of receipt is the day in Shanghai, not in UTC', () => {
  // Sunday 6 December 23:30 UTC is Monday 7 December 07:30 in Shanghai.
  assert.equal(requestDeadline(new Date('2026-12-06T23:30:00Z')), '2026-12-28T15:59:59.999Z');
  // Saturday 5 December, 20:00 in Shanghai: the count starts on Monday.
  assert.equal(requestDeadline(new Date('2026-12-05T12:00:00Z')), '2026-12-25T15:59:59.999Z');
});

test('weekends do not count', () => {
  assert.equal(DEADLINE_WORKING_DAYS, 15);
  // Friday 4 December 2026: 15 working days on is Friday 25 December.
  assert.equal(requestDeadline(new Date('2026-12-04T01:00:00Z')), '2026-12-25T15:59:59.999Z');
  assert.equal(requestDeadline(new Date('2026-12-04T01:00:00Z'), 1), '2026-12-07T15:59:59.999Z');
});
