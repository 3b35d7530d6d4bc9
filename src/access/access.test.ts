import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkRoles, DATA_ROLES, needsSecondAdministrator, ORG_KINDS, ROLES } from './roles.ts';
import { actsOnRecords } from './data-access.ts';
import { purposeOf } from './purposes.ts';
import { PolicyEngine } from './policy.ts';
import { DEFAULT_POLICY } from './default-policy.ts';
import { DEFAULT_GUARD, Guard, isAlphabeticalRun, isSequentialRun, limitsFor, type ReadFacts } from './guard.ts';
import { BIRTH, fieldDef } from '../schema/record-type.ts';

test('roles: separation of duties and organisation kinds', () => {
  assert.deepEqual(checkRoles(['clinician'], 'hospital'), ['clinician']);
  assert.throws(() => checkRoles(['auditor', 'clinician'], 'hospital'), {
    code: 'ERR_ROLE_CONFLICT',
    details: { field: 'roles', rule: 'separationOfDuties' },
  });
  assert.throws(() => checkRoles(['administrator', 'dpo'], 'operator'), { code: 'ERR_ROLE_CONFLICT' });
  assert.throws(() => checkRoles(['clinician'], 'statistics_office'), {
    details: { field: 'roles', rule: 'roleNotInOrganisationKind' },
  });
  assert.throws(() => checkRoles(['wizard'], 'hospital'), { details: { field: 'roles', rule: 'unknownRole' } });
  assert.throws(() => checkRoles([], 'hospital'), { code: 'ERR_ROLE_CONFLICT' });
});

test('the roles that act on records are those the default policy lets act on one; an auditor holds none', () => {
  const p = new PolicyEngine(DEFAULT_POLICY, 1);
  const none = { inCare: false, inDistrict: false };
  const acting = ROLES.filter((r) =>
    ORG_KINDS.some((kind) => {
      try {
        checkRoles([r], kind);
      } catch {
        return false;
      }
      return actsOnRecords(p, { roles: [r], orgKind: kind }, none);
    }),
  );
  assert.deepEqual([...acting].sort(), [...DATA_ROLES].sort());
  for (const r of DATA_ROLES) {
    assert.throws(() => checkRoles(['auditor', r], 'operator'), { code: 'ERR_ROLE_CONFLICT' }, r);
    assert.equal(needsSecondAdministrator([r]), true, r);
  }
  assert.equal(needsSecondAdministrator(['administrator']), true);
  assert.equal(needsSecondAdministrator(['auditor']), false);
  assert.equal(needsSecondAdministrator(['statistician']), false);
  // In care of a ward, anyone the policy does not forbid reads that ward's records.
  assert.equal(
    actsOnRecords(p, { roles: ['auditor'], orgKind: 'hospital' }, { inCare: true, inDistrict: false }),
    true,
  );
  assert.equal(
    actsOnRecords(p, { roles: ['statistician'], orgKind: 'statistics_office' }, { inCare: true, inDistrict: true }),
    false,
  );
});

test('purposes carry a legal basis; a missing or unknown one is refused', () => {
  assert.match(purposeOf('treatment').legalBasis, /PIPL/);
  assert.throws(() => purposeOf(undefined), { code: 'ERR_PURPOSE_REQUIRED' });
  assert.throws(() => purposeOf('curiosity'), { code: 'ERR_UNKNOWN_PURPOSE' });
});

test('the default policy: masked by default, clear by purpose, never rows for statistics', () => {
  const p = new PolicyEngine(DEFAULT_POLICY, 1);
  const clinician = { roles: ['clinician'], orgKind: 'hospital' };
  const record = { type: 'Record', recordType: 'birth' } as const;
  const phone = { type: 'Field', recordType: 'birth', field: fieldDef(BIRTH, 'motherPhone')! } as const;
  assert.equal(p.allows(clinician, 'read', record, { sameOrg: true }), true);
  assert.equal(p.allows(clinician, 'read', record, { sameOrg: false }), false);
  assert.equal(p.allows(clinician, 'reveal', phone, { sameOrg: true, purpose: 'treatment' }), true);
  assert.equal(p.allows(clinician, 'reveal', phone, { sameOrg: true, purpose: 'partner_contact' }), false);
  assert.equal(p.allows(clinician, 'reveal', phone, { sameOrg: true }), false);
  const statistician = { roles: ['statistician'], orgKind: 'statistics_office' };
  for (const purpose of ['statistics', 'investigation', 'treatment']) {
    assert.equal(p.allows(statistician, 'read', record, { sameOrg: true, inCare: true, purpose }), false);
    assert.equal(p.allows(statistician, 'reveal', phone, { sameOrg: true, inCare: true, purpose }), false);
  }
  assert.equal(p.allows(statistician, 'aggregate', { type: 'Api', area: 'stats' }), true);
  // A partner sees a consented parent's phone, masked unless it states the partner_contact purpose; never the address.
  const partner = { roles: ['partner'], orgKind: 'partner' };
  const views = p.fieldViews(partner, BIRTH, { consented: true, purpose: 'partner_contact' });
  assert.deepEqual(views.get('motherPhone'), { view: true, reveal: true });
  assert.deepEqual(views.get('address'), { view: false, reveal: false });
  assert.throws(() => new PolicyEngine('permit (', 2), { code: 'ERR_POLICY_INVALID' });
});

test('a district is seen by reads, and by reveals for vaccination, whatever the policy says', () => {
  const p = new PolicyEngine('permit (principal, action, resource) when { context.inDistrict };', 1);
  const nurse = { roles: ['vaccination_nurse'], orgKind: 'vaccination_clinic' };
  const record = { type: 'Record', recordType: 'birth' } as const;
  const phone = { type: 'Field', recordType: 'birth', field: fieldDef(BIRTH, 'motherPhone')! } as const;
  const district = { inDistrict: true, purpose: 'vaccination' };
  assert.equal(p.allows(nurse, 'read', record, district), true);
  assert.equal(p.allows(nurse, 'view', phone, district), true);
  assert.equal(p.allows(nurse, 'reveal', phone, district), true);
  assert.equal(p.allows(nurse, 'reveal', phone, { ...district, purpose: 'treatment' }), false);
  for (const action of ['update', 'erase', 'export', 'consent', 'collect', 'approve'] as const)
    assert.equal(p.allows(nurse, action, record, district), false, action);
  assert.deepEqual(p.fieldViews(nurse, BIRTH, { ...district, purpose: 'treatment' }).get('motherPhone'), {
    view: true,
    reveal: false,
  });
  // The default policy: a nurse reads the children of its district and sees their vaccination fields.
  const d = new PolicyEngine(DEFAULT_POLICY, 1);
  assert.equal(d.allows(nurse, 'read', record, { inDistrict: true }), true);
  assert.equal(d.allows(nurse, 'update', record, { inDistrict: true }), false);
  const views = d.fieldViews(nurse, BIRTH, district);
  assert.deepEqual([views.get('motherPhone'), views.get('address')?.reveal], [{ view: true, reveal: true }, false]);
  const clinician = { roles: ['clinician'], orgKind: 'hospital' };
  assert.equal(d.allows(clinician, 'read', record, { inDistrict: true }), false);
});

const facts = (over: Partial<ReadFacts> = {}): ReadFacts => ({
  principalId: 'p1',
  roles: ['clinician'],
  peerGroup: 'g',
  at: new Date('2026-11-23T03:00:00Z'),
  recordSeq: 1,
  clear: true,
  justified: true,
  poison: false,
  outsideCare: false,
  ...over,
});

test('guard: a day beyond normal + 100 clear records blocks; + 50 asks for a justification', () => {
  const g = new Guard({ ...DEFAULT_GUARD, velocityPerMinute: 1e9 });
  const t0 = Date.parse('2026-11-23T01:00:00Z');
  g.start('p1', new Date(t0), { normal: 40, today: new Set() });
  let allowed = 0;
  for (let i = 0; i < 500; i++) {
    const v = g.check(facts({ recordSeq: i * 7, at: new Date(t0 + i * 60_000), justified: i >= 90 }));
    if (v.action === 'allow') allowed++;
    else if (v.action === 'justify') assert.equal(allowed, 90);
    else {
      assert.equal(v.action, 'block');
      assert.equal(v.alerts[0]!.rule, 'quota');
      break;
    }
  }
  assert.equal(allowed, 140);
  const again = new Guard();
  again.start('p1', new Date(t0), { normal: 0, today: new Set() });
  for (let i = 0; i < 1000; i++)
    assert.equal(
      again.check(facts({ recordSeq: 5, at: new Date(t0) })).action,
      'allow',
      'the same record again is not new volume',
    );
  assert.equal(g.check(facts({ clear: false })).action, 'block', 'blocked until resolved');
  g.unblock('p1');
  assert.equal(g.needsHistory('p1', new Date(t0)), true);
});

test('guard: velocity, sequential and alphabetical scans, poison, outside care, off hours', () => {
  const at = new Date('2026-11-23T03:00:00Z');
  const fresh = () => {
    const g = new Guard();
    g.start('p1', at, { normal: 0, today: new Set() });
    return g;
  };
  let g = fresh();
  let n = 0;
  while (g.check(facts({ recordSeq: n * 17, at })).action === 'allow') n++;
  assert.equal(n, DEFAULT_GUARD.velocityPerMinute);
  g = fresh();
  n = 0;
  while (g.check(facts({ recordSeq: 100 + n, clear: false, at })).action === 'allow') n++;
  assert.equal(n, DEFAULT_GUARD.scanWindow - 1);
  assert.equal(fresh().check(facts({ poison: true, clear: false })).alerts[0]!.rule, 'poison');
  const care = fresh().check(facts({ outsideCare: true }));
  assert.deepEqual([care.action, care.alerts[0]!.rule], ['allow', 'outsideCare']);
  g = new Guard();
  const night = new Date('2026-11-23T16:00:00Z'); // 00:00 in Beijing
  g.start('p1', night, { normal: 0, today: new Set() });
  const verdicts = Array.from(
    { length: 25 },
    (_, i) =>
      g.check(facts({ at: new Date(night.getTime() + i * 120_000), recordSeq: i * 31, justified: false })).action,
  );
  assert.equal(verdicts.indexOf('justify'), DEFAULT_GUARD.offHoursPerHour);
  // Each rule's response can be changed: outside care can block, scans can merely alert.
  g = new Guard({ ...DEFAULT_GUARD, actions: { outsideCare: 'block', scan: 'alert' } });
  g.start('p1', at, { normal: 0, today: new Set() });
  assert.equal(g.check(facts({ outsideCare: true })).action, 'block');
  assert.equal(isAlphabeticalRun(['安', '白', '陈', '邓', '冯'], 5), true);
  assert.equal(isAlphabeticalRun(['陈', '安', '白', '邓', '冯'], 5), false);
  // Sequential scans, by what a scan looks like rather than by the rule's own arithmetic: a walk
  // through consecutive records (steps of 1 to 3) is one; records far apart in record order are not,
  // nor is a window with fewer records than it needs.
  const walk = (start: number, steps: number[]) => steps.reduce((xs, d) => [...xs, xs[xs.length - 1]! + d], [start]);
  fc.assert(
    fc.property(
      fc.nat(1e6),
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 19, maxLength: 19 }),
      (start, steps) => isSequentialRun(walk(start, steps), 20),
    ),
  );
  fc.assert(
    fc.property(
      fc.nat(1e6),
      fc.array(fc.integer({ min: 4, max: 5000 }), { minLength: 19, maxLength: 19 }),
      (start, steps) => !isSequentialRun(walk(start, steps), 20),
    ),
  );
  fc.assert(
    fc.property(
      fc.nat(1e6),
      fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 18 }),
      (start, steps) => !isSequentialRun(walk(start, steps), 20),
    ),
  );
});

test('guard: a principal far above its peers is an outlier', () => {
  const g = new Guard({ ...DEFAULT_GUARD, velocityPerMinute: 1e9, headroom: 1e9, justifyAfter: 1e9 });
  const at = new Date('2026-11-23T03:00:00Z');
  for (const p of ['a', 'b', 'c']) {
    g.start(p, at, { normal: 0, today: new Set() });
    for (let i = 0; i < 5; i++) g.check(facts({ principalId: p, recordSeq: i * 13 }));
  }
  g.start('x', at, { normal: 0, today: new Set() });
  const rules: string[] = [];
  for (let i = 0; i < 60; i++)
    rules.push(...g.check(facts({ principalId: 'x', recordSeq: i * 97 })).alerts.map((a) => a.rule));
  assert.deepEqual(rules, ['peerOutlier']);
});

test('guard: a DPO or an investigator reads far fewer records by hand, and no role goes unguarded', () => {
  const t0 = Date.parse('2026-11-23T01:00:00Z');
  // Clear records allowed in a day without a justification, then with one, for a principal of these roles.
  const day = (roles: string[], normal = 0) => {
    const g = new Guard({ ...DEFAULT_GUARD, velocityPerMinute: 1e9 });
    g.start('p1', new Date(t0), { normal, today: new Set() });
    let free = -1;
    for (let i = 0; i < 1000; i++) {
      const at = new Date(t0 + i * 60_000);
      let v = g.check(facts({ roles, recordSeq: i * 7, at, justified: false }));
      if (v.action === 'justify') {
        if (free < 0) free = i;
        v = g.check(facts({ roles, recordSeq: i * 7, at, justified: true }));
      }
      if (v.action === 'block') {
        assert.deepEqual(
          v.alerts.map((a) => a.rule),
          ['quota'],
        );
        return { free, total: i };
      }
    }
    throw new Error('never blocked');
  };
  assert.deepEqual(day(['clinician']), { free: 50, total: 100 });
  assert.deepEqual(day(['dpo']), { free: 5, total: 20 });
  assert.deepEqual(day(['investigator']), { free: 10, total: 40 });
  // Several roles: the lowest of each limit. An unknown role changes nothing.
  assert.deepEqual(day(['clinician', 'dpo']), { free: 5, total: 20 });
  assert.deepEqual(day(['records_clerk', 'no_such_role']), { free: 50, total: 100 });
  // However busy its last 28 days, a DPO's normal day counts as at most 20 records.
  assert.deepEqual(day(['dpo'], 500), { free: 25, total: 40 });
  assert.deepEqual(day(['clinician'], 500), { free: 550, total: 600 });
  // Velocity too: a DPO meets its block after 10 new clear records in a minute.
  const g = new Guard();
  g.start('d', new Date(t0), { normal: 100, today: new Set() });
  let n = 0;
  while (g.check(facts({ principalId: 'd', roles: ['dpo'], recordSeq: n * 17, at: new Date(t0) })).action === 'allow')
    n++;
  assert.equal(n, 10);
  // A role's limits only ever lower the base: a configuration cannot exempt a role.
  const lax = { ...DEFAULT_GUARD, roles: { dpo: { headroom: 1e9, velocityPerMinute: 1e9 } } };
  assert.deepEqual(limitsFor(lax, ['dpo']), limitsFor(lax, ['clinician']));
  assert.deepEqual(limitsFor(DEFAULT_GUARD, ['constructor', '__proto__']), limitsFor(DEFAULT_GUARD, []));
});
