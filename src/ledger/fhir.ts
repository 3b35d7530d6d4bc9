/**
 * Ledger entries as FHIR R4 AuditEvent resources (hl7.org/fhir/R4/auditevent.html), following the
 * IHE Basic Audit Log Patterns (BALP): data access as a RESTful interaction (create, read, update,
 * delete) on the record, authentication as DICOM "User Authentication", imports and exports as
 * DICOM "Import"/"Export", administrative changes as "Security Alert". Identifiers only: the record
 * appears as its keyed reference, never its id or any value.
 */
import type { EntryRow } from './log.ts';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const INTERACTION = 'http://hl7.org/fhir/restful-interaction';

interface Coding {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

const rest: Coding = { system: EVENT_TYPE, code: 'rest', display: 'Restful Operation' };
const dcm = (code: string, display: string): Coding => ({ system: DCM, code, display });
const interaction = (code: string): Coding => ({ system: INTERACTION, code, display: code });

/** action → [type, subtype, FHIR action code C/R/U/D/E]. */
const MAPPING: Record<string, [Coding, Coding | undefined, string]> = {
  collect: [rest, interaction('create'), 'C'],
  read: [rest, interaction('read'), 'R'],
  reveal: [rest, interaction('read'), 'R'],
  // A clinic's due list (service/due-lists.ts): a search of the records of its districts, masked.
  due_list: [rest, interaction('search-type'), 'R'],
  update: [rest, interaction('update'), 'U'],
  erase: [rest, interaction('delete'), 'D'],
  export: [dcm('110106', 'Export'), undefined, 'R'],
  import: [dcm('110107', 'Import'), undefined, 'C'],
  approve: [dcm('110113', 'Security Alert'), undefined, 'E'],
  login: [dcm('110114', 'User Authentication'), dcm('110122', 'Login'), 'E'],
  'login.failed': [dcm('110114', 'User Authentication'), dcm('110122', 'Login'), 'E'],
  'policy.change': [dcm('110113', 'Security Alert'), dcm('110136', 'Security Roles Changed'), 'U'],
  'guard.change': [dcm('110113', 'Security Alert'), dcm('110136', 'Security Roles Changed'), 'U'],
  'principal.create': [dcm('110113', 'Security Alert'), dcm('110136', 'Security Roles Changed'), 'C'],
  'organisation.create': [dcm('110113', 'Security Alert'), dcm('110136', 'Security Roles Changed'), 'C'],
  'key.rotate': [dcm('110100', 'Application Activity'), undefined, 'E'],
};

export function toAuditEvent(row: Pick<EntryRow, 'seq' | 'tenant_id' | 'at' | 'entry'>): Record<string, unknown> {
  const e = JSON.parse(row.entry) as {
    action: string;
    principalId: string;
    recordRef?: string;
    fields?: string[];
    outcome?: string;
    detail?: Record<string, unknown>;
  };
  const [type, subtype, action] = MAPPING[e.action] ?? [dcm('110100', 'Application Activity'), undefined, 'E'];
  const failed = e.action === 'login.failed' || e.outcome === 'denied';
  return {
    resourceType: 'AuditEvent',
    id: `${row.tenant_id}-${Number(row.seq)}`,
    type,
    ...(subtype ? { subtype: [subtype] } : {}),
    action,
    recorded: row.at,
    // 0 success, 4 minor failure (refused), 8 serious failure.
    outcome: e.outcome === 'error' ? '8' : failed ? '4' : '0',
    agent: [{ who: { identifier: { system: 'urn:tracevault:principal', value: e.principalId } }, requestor: true }],
    source: {
      observer: { display: `tracevault/${row.tenant_id}` },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    ...(e.recordRef
      ? {
          entity: [
            {
              what: { identifier: { system: 'urn:tracevault:record-ref', value: e.recordRef } },
              type: {
                system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
                code: '2',
                display: 'System Object',
              },
              ...(e.fields?.length ? { detail: [{ type: 'fields', valueString: e.fields.join(',') }] } : {}),
            },
          ],
        }
      : {}),
  };
}
