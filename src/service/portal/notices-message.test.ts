/**
 * The SMS of a breach notice (notices-message.ts): it says a notice is waiting and warns against
 * callers who know the family's details — and holds nothing but its recipient's number: no digits,
 * no link, no field of the record, whatever the leak was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noticeMessage, NOTICE_TEMPLATE } from './notices-message.ts';

test('the breach-notice SMS names only its recipient, and holds no digit and no link', () => {
  const m = noticeMessage('13800138000');
  assert.deepEqual([m.channel, m.to, m.template], ['sms', '13800138000', NOTICE_TEMPLATE]);
  assert.doesNotMatch(m.text, /\d/);
  assert.doesNotMatch(m.text, /https?:|www\.|\.cn\b|\.com\b/i);
  assert.match(m.text, /家长门户/);
  assert.match(m.text, /核验/);
  assert.equal(noticeMessage('13900139000').text, m.text, 'one text for every family');
});
