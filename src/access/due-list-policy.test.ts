/**
 * The due list's two actions in the policy (ADR 0022): the default lets a nurse of a vaccination
 * clinic keep the due list of its districts and record doses given, for the vaccination purpose
 * only; and whatever a policy says, a district opens nothing else (policy.ts, the invariant).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyEngine } from './policy.ts';
import { DEFAULT_POLICY } from './default-policy.ts';

const record = { type: 'Record', recordType: 'birth' } as const;
const nurse = { roles: ['vaccination_nurse'], orgKind: 'vaccination_clinic' };
const district = { purpose: 'vaccination', inDistrict: true } as const;

test('the default: a clinic nurse keeps the due list of its districts, for vaccination only', () => {
  const p = new PolicyEngine(DEFAULT_POLICY, 1);
  assert.equal(p.allows(nurse, 'due_list', record, district), true);
  assert.equal(p.allows(nurse, 'due_list', record, { purpose: 'vaccination' }), false, 'not in its district');
  assert.equal(p.allows(nurse, 'due_list', record, { purpose: 'vaccination', sameOrg: true }), false);
  assert.equal(p.allows(nurse, 'due_list', record, { ...district, purpose: 'treatment' }), false);
  assert.equal(p.allows(nurse, 'due_list', record, { inDistrict: true }), false, 'no purpose');
  // A nurse of a hospital, a clinician, a clerk, a DPO, a statistician: never.
  for (const s of [
    { roles: ['vaccination_nurse'], orgKind: 'hospital' },
    { roles: ['clinician'], orgKind: 'hospital' },
    { roles: ['records_clerk'], orgKind: 'vaccination_clinic' },
    { roles: ['dpo'], orgKind: 'operator' },
    { roles: ['statistician'], orgKind: 'statistics_office' },
  ])
    assert.equal(p.allows(s, 'due_list', record, district), false, s.roles.join());
});

test('the default: a dose given by a nurse of the district or the organisation, and no other change', () => {
  const p = new PolicyEngine(DEFAULT_POLICY, 1);
  assert.equal(p.allows(nurse, 'record_dose', record, district), true);
  assert.equal(p.allows(nurse, 'record_dose', record, { purpose: 'vaccination', sameOrg: true }), true);
  assert.equal(p.allows(nurse, 'record_dose', record, { ...district, purpose: 'treatment' }), false);
  assert.equal(p.allows(nurse, 'record_dose', record, { purpose: 'vaccination' }), false);
  assert.equal(p.allows({ roles: ['clinician'], orgKind: 'hospital' }, 'record_dose', record, district), false);
  // ADR 0009 still holds: a district opens no update of the record.
  assert.equal(p.allows(nurse, 'update', record, district), false);
});

test('whatever a policy says, a district counts for the due list and doses only for vaccination', () => {
  const open = new PolicyEngine(`permit (principal, action, resource) when { context.inDistrict };`, 2);
  for (const action of ['due_list', 'record_dose', 'reveal'] as const) {
    const resource =
      action === 'reveal'
        ? ({
            type: 'Field',
            recordType: 'birth',
            field: { name: 'motherPhone', kind: 'mobile', sensitivity: 'personal' },
          } as const)
        : record;
    assert.equal(open.allows(nurse, action, resource, district), true, action);
    assert.equal(open.allows(nurse, action, resource, { ...district, purpose: 'treatment' }), false, action);
  }
  for (const action of ['update', 'erase', 'export', 'consent', 'invite', 'collect'] as const)
    assert.equal(open.allows(nurse, action, record, district), false, action);
});
