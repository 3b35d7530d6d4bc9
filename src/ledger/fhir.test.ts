import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toAuditEvent } from './fhir.ts';

const row = (seq: number, entry: object) => ({
  seq,
  tenant_id: 'default',
  at: '2026-11-23T05:00:00.000Z',
  entry: JSON.stringify(entry),
});

test('ledger entries as FHIR R4 AuditEvent (BALP patterns): required elements, codes, no values', () => {
  const read = toAuditEvent(
    row(7, { action: 'read', principalId: 'p_a', recordRef: 'abc', fields: ['motherPhone', 'bed'], outcome: 'ok' }),
  );
  assert.deepEqual(read, {
    resourceType: 'AuditEvent',
    id: 'default-7',
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'Restful Operation',
    },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read', display: 'read' }],
    action: 'R',
    recorded: '2026-11-23T05:00:00.000Z',
    outcome: '0',
    agent: [{ who: { identifier: { system: 'urn:tracevault:principal', value: 'p_a' } }, requestor: true }],
    source: {
      observer: { display: 'tracevault/default' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    entity: [
      {
        what: { identifier: { system: 'urn:tracevault:record-ref', value: 'abc' } },
        type: {
          system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
          code: '2',
          display: 'System Object',
        },
        detail: [{ type: 'fields', valueString: 'motherPhone,bed' }],
      },
    ],
  });
  const failed = toAuditEvent(row(8, { action: 'login.failed', principalId: 'p_b' }));
  assert.equal(failed.outcome, '4');
  assert.deepEqual(failed.type, {
    system: 'http://dicom.nema.org/resources/ontology/DCM',
    code: '110114',
    display: 'User Authentication',
  });
  assert.equal(failed.entity, undefined);
  assert.equal(toAuditEvent(row(9, { action: 'erase', principalId: 'p_c', recordRef: 'x' })).action, 'D');
  assert.equal(toAuditEvent(row(10, { action: 'collect', principalId: 'p_c', recordRef: 'x' })).action, 'C');
});
