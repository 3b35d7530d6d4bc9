/**
 * When one-time codes may go to a phone and when it is locked out (otp-policy.ts): five codes an
 * hour, a new hour opens a new window; ten wrong codes within a day lock the phone for that day.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, lockedOut, nextSend, NO_COUNTERS, OTP_POLICY, type PhoneCounters } from './otp-policy.ts';

const T0 = Date.parse('2026-11-23T08:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

test('five codes an hour go to one phone, then none until the hour has passed', () => {
  let c: PhoneCounters = NO_COUNTERS;
  for (let i = 0; i < OTP_POLICY.sendsPerWindow; i++) {
    const n = nextSend(c, at(i * 60_000));
    assert.ok(n.allowed, `send ${i + 1}`);
    c = n.counters;
  }
  assert.equal(c.sends, 5);
  assert.equal(nextSend(c, at(59 * 60_000)).allowed, false);
  const later = nextSend(c, at(3600_000));
  assert.ok(later.allowed);
  assert.deepEqual([later.counters.sends, later.counters.sendsSince], [1, at(3600_000).toISOString()]);
});

test('ten wrong codes within a day lock the phone for the rest of the day', () => {
  let c: PhoneCounters = NO_COUNTERS;
  for (let i = 0; i < 9; i++) c = afterFailure(c, at(i * 3600_000));
  assert.equal(lockedOut(c, at(10 * 3600_000)), false);
  c = afterFailure(c, at(10 * 3600_000));
  assert.equal(c.failures, 10);
  assert.equal(lockedOut(c, at(23 * 3600_000)), true);
  assert.equal(nextSend(c, at(23 * 3600_000)).allowed, false, 'no code goes to a locked phone');
  assert.equal(lockedOut(c, at(24 * 3600_000)), false, 'the day is over');
  assert.deepEqual(afterFailure(c, at(24 * 3600_000)).failures, 1);
});
