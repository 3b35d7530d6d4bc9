import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localDate, localDateTime, localHour, localMidnight } from './local-date.ts';

test('the Asia/Shanghai day turns at 16:00 UTC', () => {
  assert.equal(localDate(Date.parse('2026-12-31T16:00:00Z')), '2027-01-01');
  assert.equal(localDate(Date.parse('2026-12-31T15:59:59Z')), '2026-12-31');
  assert.equal(localDate(new Date('2026-12-31T15:59:59.999Z')), '2026-12-31');
  assert.equal(localDate(new Date('2027-01-01T00:00:00+08:00')), '2027-01-01');
});

test('hour and wall clock at +08:00, the same in summer and winter (no daylight saving)', () => {
  assert.equal(localHour(Date.parse('2026-07-01T15:30:00Z')), 23);
  assert.equal(localHour(new Date('2026-07-01T16:00:00Z')), 0);
  assert.equal(localDateTime(Date.parse('2026-01-15T01:02:03Z')), '2026-01-15T09:02:03');
  assert.equal(localDateTime(Date.parse('2026-07-15T01:02:03Z')), '2026-07-15T09:02:03');
});

test('local midnight begins the local day', () => {
  const ms = Date.parse('2026-11-20T03:17:00+08:00');
  assert.equal(localMidnight(ms), Date.parse('2026-11-20T00:00:00+08:00'));
  assert.equal(localMidnight(Date.parse('2026-11-20T00:00:00+08:00')), Date.parse('2026-11-20T00:00:00+08:00'));
  assert.equal(localMidnight(Date.parse('2026-11-19T23:59:59+08:00')), Date.parse('2026-11-19T00:00:00+08:00'));
});
