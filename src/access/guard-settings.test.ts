import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_GUARD, Guard, limitsFor } from './guard.ts';
import { checkGuardSettings } from './guard-settings.ts';
import { TracevaultError } from '../errors.ts';

const none = () => false;

test('the default settings pass as they are; a missing ceiling stays none', () => {
  const c = checkGuardSettings(DEFAULT_GUARD, none);
  assert.equal(c.normalCap, undefined);
  assert.deepEqual(c.roles, DEFAULT_GUARD.roles);
  assert.deepEqual(c.night, [22, 6]);
});

test('refusals name the property and the rule, never a value', () => {
  const bad = (over: object) => {
    try {
      checkGuardSettings({ ...DEFAULT_GUARD, ...over }, (id) => id === 'o_known');
    } catch (e) {
      assert.ok(e instanceof TracevaultError && e.code === 'ERR_INVALID_FIELD');
      return `${e.details.field}:${e.details.rule}`;
    }
    return 'accepted';
  };
  assert.equal(bad({ headroom: 1.5 }), 'headroom:range');
  assert.equal(bad({ normalCap: -1 }), 'normalCap:range');
  assert.equal(bad({ night: [25, 6] }), 'night.0:range');
  assert.equal(bad({ actions: { scan: 'ignore' } }), 'actions.scan:unknownAction');
  assert.equal(bad({ organisations: { o_known: { headroom: 100 } } }), 'accepted');
  assert.equal(bad({ organisations: { o_known: { headroom: 101 } } }), 'organisations.o_known.headroom:aboveBase');
  assert.equal(bad({ organisations: { o_known: { sleep: 1 } } }), 'organisations.o_known.sleep:unknownLimit');
  assert.equal(bad({ normalCap: 10, roles: { dpo: { normalCap: 20 } } }), 'roles.dpo.normalCap:aboveBase');
});

test("an organisation's override lowers its principals' limits, the lowest applying", () => {
  const c = { ...DEFAULT_GUARD, organisations: { o_small: { velocityPerMinute: 3, headroom: 30 } } };
  assert.equal(limitsFor(c, ['clinician'], 'o_small').velocityPerMinute, 3);
  assert.equal(limitsFor(c, ['clinician'], 'o_other').velocityPerMinute, 30);
  assert.equal(limitsFor(c, ['dpo'], 'o_small').headroom, 20);
  assert.equal(limitsFor(c, ['clinician'], null).headroom, 100);
});

test('a guard adopts new settings at once and keeps its counters', () => {
  const g = new Guard({ ...DEFAULT_GUARD, scanWindow: 1000 });
  const at = new Date('2026-12-04T03:00:00Z');
  g.start('p', at, { normal: 0, today: new Set() });
  const read = (seq: number) =>
    g.check({
      principalId: 'p',
      roles: ['clinician'],
      orgId: 'o',
      peerGroup: 'o|clinician',
      at,
      recordSeq: seq * 10,
      clear: true,
      justified: false,
      poison: false,
      outsideCare: false,
    }).action;
  for (let i = 1; i <= 4; i++) assert.equal(read(i), 'allow');
  g.configure({ ...g.config, velocityPerMinute: 5 });
  assert.equal(read(5), 'allow');
  assert.equal(read(6), 'block');
});
