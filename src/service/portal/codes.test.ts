/**
 * The portal's codes: invitation codes in their alphabet and groups, typed back in any case and
 * spacing; one-time and call codes of fixed length over every digit; constant-time comparison;
 * and the per-address sliding window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  digitsOf,
  INVITATION_ALPHABET,
  newCallCode,
  newInvitationCode,
  newOneTimeCode,
  normaliseInvitationCode,
  sameText,
} from './codes.ts';
import { RateLimiter } from './rate-limit.ts';

test('invitation codes: 16 characters of 32 unambiguous ones, in four groups, all different', () => {
  assert.equal(INVITATION_ALPHABET.length, 32);
  assert.doesNotMatch(INVITATION_ALPHABET, /[01IO]/);
  const seen = new Set<string>();
  const used = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const c = newInvitationCode();
    assert.match(c, /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
    seen.add(c);
    for (const ch of c.replaceAll('-', '')) used.add(ch);
  }
  assert.equal(seen.size, 2000);
  assert.equal(used.size, 32, 'every character of the alphabet appears');
});

test('an invitation code typed from paper normalises to one form', () => {
  const c = newInvitationCode();
  const plain = c.replaceAll('-', '');
  for (const typed of [
    c,
    c.toLowerCase(),
    c.replaceAll('-', ' '),
    ` ${plain} `,
    c.replaceAll('-', '—'),
    // Full-width forms, as a Chinese input method types them.
    [...c].map((ch) => (ch === '-' ? '－' : String.fromCharCode(ch.charCodeAt(0) + 0xfee0))).join(''),
  ]) {
    assert.equal(normaliseInvitationCode(typed), plain, typed);
  }
  assert.notEqual(normaliseInvitationCode(c.replace(/[2-9A-Z]/, 'O')), plain);
});

test('one-time and call codes: fixed length, every digit, leading zeros kept', () => {
  const counts = Array.from({ length: 10 }, () => 0);
  for (let i = 0; i < 3000; i++) {
    const otp = newOneTimeCode();
    assert.match(otp, /^\d{6}$/);
    for (const d of otp) counts[Number(d)]!++;
    assert.match(newCallCode(), /^\d{4}$/);
  }
  // 18,000 digits, 1,800 expected each: a generous band catches a biased or stuck generator.
  for (const n of counts) assert.ok(n > 1500 && n < 2100, `${counts.join(',')}`);
  assert.equal(digitsOf('１２ 34-56'), '123456');
});

test('codes are compared whole, whatever their length', () => {
  assert.ok(sameText('123456', '123456'));
  assert.ok(!sameText('123456', '123457'));
  assert.ok(!sameText('123456', '12345'));
  assert.ok(!sameText('', '0'));
});

test('a sliding window per key: the limit, then refusals, then room again; keys apart; bounded', () => {
  const limiter = new RateLimiter({ limit: 3, windowMs: 1000 }, 2);
  assert.deepEqual(
    [0, 10, 20, 30].map((t) => limiter.take('a', t)),
    [true, true, true, false],
  );
  assert.equal(limiter.take('b', 30), true, 'another key has its own window');
  assert.equal(limiter.take('a', 999), false);
  assert.equal(limiter.take('a', 1000), true, 'the first event left the window');
  // A third key pushes out the oldest used ('b'), which starts afresh.
  limiter.take('c', 1001);
  for (let i = 0; i < 3; i++) assert.equal(limiter.take('b', 1002), true);
  assert.equal(limiter.take('b', 1002), false);
});
