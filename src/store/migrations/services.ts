/**
 * Migrations 22 onwards: the parents' portal, due lists, guard settings, imports over HTTP and
 * several servers on one PostgreSQL.
 */
import type { Migration } from './migration.ts';

export const SERVICE_MIGRATIONS: readonly Migration[] = [
  {
    version: 22,
    name: 'parents portal: invitations, guardians, one-time codes, registered calls',
    // Issue 21 (service/portal/). An invitation is kept as a keyed HMAC of its code; a guardian as a
    // keyed reference of the phone (and the number sealed, for messages), linked to the records it
    // enrolled for; portal sessions are a table of their own, so a guardian's token is no staff
    // token and a staff token no guardian's. One row per phone holds its current one-time code
    // (HMAC), its tries and the counters of its send limit and lockout. A registered call keeps who
    // called and a sealed message with its code, the purpose as written and the number it comes from.
    sql: `
CREATE TABLE portal_invitations (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, record_seq {bigint} NOT NULL REFERENCES records(seq),
  code_hash {blob} NOT NULL UNIQUE, org_id TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL);
CREATE INDEX portal_invitations_record ON portal_invitations (record_seq);
CREATE TABLE guardians (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, phone_ref {blob} NOT NULL, phone_sealed {blob} NOT NULL,
  created_at TEXT NOT NULL, UNIQUE (tenant_id, phone_ref));
CREATE TABLE guardian_children (
  guardian_id TEXT NOT NULL REFERENCES guardians(id), record_seq {bigint} NOT NULL REFERENCES records(seq),
  relation TEXT NOT NULL, invitation_id TEXT NOT NULL, enrolled_at TEXT NOT NULL,
  PRIMARY KEY (guardian_id, record_seq));
CREATE INDEX guardian_children_record ON guardian_children (record_seq);
CREATE TABLE portal_sessions (
  token_hash {blob} PRIMARY KEY, tenant_id TEXT NOT NULL, guardian_id TEXT NOT NULL REFERENCES guardians(id),
  created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE portal_otps (
  tenant_id TEXT NOT NULL, phone_ref {blob} NOT NULL, code_hash {blob}, purpose TEXT, record_seq {bigint},
  relation TEXT, invitation_id TEXT, expires_at TEXT, tries INTEGER NOT NULL, sends INTEGER NOT NULL,
  sends_since TEXT, failures INTEGER NOT NULL, failures_since TEXT,
  PRIMARY KEY (tenant_id, phone_ref));
CREATE TABLE calls (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, record_seq {bigint} NOT NULL REFERENCES records(seq),
  principal_id TEXT NOT NULL, org_id TEXT, role TEXT NOT NULL, purpose TEXT, created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL, sealed {blob} NOT NULL);
CREATE INDEX calls_record ON calls (record_seq, expires_at)
`,
  },
  {
    version: 23,
    name: 'ledger entries by record, what organisations publish to families',
    // Issue 21 part 2 (service/portal/history.ts): which ledger entries are about a record, so that a
    // guardian's access history is an index lookup, not a scan of the ledger. Keyed by the record's
    // keyed reference (the ledger's own `recordRef`, never the id or a value), written by the audit
    // sink in the same transaction as the entry (store/audit.ts): an entry's own record and the
    // records it covers (an export's rows). Entries already written are indexed here from their
    // `record_ref` column. An organisation's publication policy says what a family sees of its
    // staff: by default the organisation, ward and role; the staff member's name only if it says so.
    sql: `
CREATE TABLE ledger_record_entries (
  record_ref TEXT NOT NULL, seq {bigint} NOT NULL, tenant_id TEXT NOT NULL,
  PRIMARY KEY (record_ref, seq)) {norowid};
INSERT INTO ledger_record_entries (record_ref, seq, tenant_id)
  SELECT record_ref, seq, tenant_id FROM audit_events WHERE record_ref IS NOT NULL;
CREATE TABLE portal_publication (
  org_id TEXT PRIMARY KEY REFERENCES organisations(id), tenant_id TEXT NOT NULL,
  staff_names INTEGER NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)
`,
  },
  {
    version: 24,
    name: 'parents portal: reported calls',
    // Issue 21 part 4 (service/portal/reports.ts, ADR 0017). A guardian's report of a suspicious call,
    // one row per child it is about: when the call came, which fields the caller knew (the registry's
    // field names, a closed list), keyed references (HMAC) of who the caller claimed to be and of the
    // number, to cluster reports without opening them; what was said and the number, sealed.
    sql: `
CREATE TABLE call_reports (
  id TEXT NOT NULL, tenant_id TEXT NOT NULL, guardian_id TEXT NOT NULL REFERENCES guardians(id),
  record_seq {bigint} NOT NULL REFERENCES records(seq), called_at TEXT NOT NULL, created_at TEXT NOT NULL,
  knew TEXT NOT NULL, claim_ref {blob} NOT NULL, caller_ref {blob}, sealed {blob} NOT NULL,
  PRIMARY KEY (id, record_seq));
CREATE INDEX call_reports_called ON call_reports (tenant_id, called_at)
`,
  },
  {
    version: 25,
    name: 'parents portal: rights requests',
    // Issue 21 part 5 (service/requests.ts): a guardian's request about a child's record (copy,
    // correction, restriction, erasure), its deadline and its decision. What the parent wrote (the
    // corrected values, the reason) and the staff's reason are sealed; kind, status and dates are clear.
    sql: `
CREATE TABLE rights_requests (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, record_seq {bigint} NOT NULL REFERENCES records(seq),
  guardian_id TEXT NOT NULL REFERENCES guardians(id), kind TEXT NOT NULL, status TEXT NOT NULL,
  created_at TEXT NOT NULL, deadline TEXT NOT NULL, sealed {blob} NOT NULL, decided_at TEXT, decided_by TEXT,
  answer_sealed {blob});
CREATE INDEX rights_requests_record ON rights_requests (record_seq, kind, status);
CREATE INDEX rights_requests_guardian ON rights_requests (guardian_id, created_at)
`,
  },
  {
    version: 26,
    name: 'parents portal: breach notices',
    // Issue 21 (service/portal/notices.ts, ADR 0019). A trace confirmed by an investigator or a DPO
    // becomes one notice (PIPL art. 57): which fields, the window, the kind of source, what the
    // registry did — field names and codes only, never a value — and the records the leak exposed.
    // Guardians reach a notice through the records they enrolled for, so one who enrols later sees it.
    sql: `
CREATE TABLE breach_notices (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, trace_id TEXT NOT NULL, confirmed_by TEXT NOT NULL,
  confirmed_at TEXT NOT NULL, fields TEXT NOT NULL, window_from TEXT, window_to TEXT, source_kind TEXT NOT NULL,
  actions TEXT NOT NULL, UNIQUE (tenant_id, trace_id));
CREATE TABLE breach_notice_records (
  notice_id TEXT NOT NULL REFERENCES breach_notices(id), record_seq {bigint} NOT NULL REFERENCES records(seq),
  PRIMARY KEY (notice_id, record_seq));
CREATE INDEX breach_notice_records_record ON breach_notice_records (record_seq)
`,
  },
  {
    version: 27,
    name: 'due lists: standing exports and their runs',
    // Issue 22 item 1 (service/due-lists.ts, ADR 0022). An export has a kind: `records` (the bulk
    // export it always was) or `due_list` (a vaccination clinic's due list, approved once for a
    // period: valid_from..valid_to, local dates, inclusive). Each run of a standing export is its own
    // disclosure: which, when, the due window it listed, how many rows, the file's SHA-256.
    sql: `
ALTER TABLE exports ADD COLUMN kind TEXT NOT NULL DEFAULT 'records';
ALTER TABLE exports ADD COLUMN valid_from TEXT;
ALTER TABLE exports ADD COLUMN valid_to TEXT;
CREATE TABLE export_runs (
  export_id TEXT NOT NULL REFERENCES exports(id), disclosure_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
  run_at TEXT NOT NULL, window_from TEXT NOT NULL, window_to TEXT NOT NULL, records INTEGER NOT NULL,
  sha256 TEXT NOT NULL, PRIMARY KEY (export_id, disclosure_id))
`,
  },
  {
    version: 28,
    name: 'guard settings as data, alerts kept blocked',
    // Issue 22 item 2 (service/guard-settings.ts, ADR 0023): every version of the guard's thresholds
    // and actions a DPO wrote, as JSON (counts, rule names, role names and organisation ids only);
    // none is ever changed or deleted. An alert's resolution says whether its block was lifted or kept.
    sql: `
CREATE TABLE guard_settings (
  tenant_id TEXT NOT NULL, version INTEGER NOT NULL, settings TEXT NOT NULL, created_at TEXT NOT NULL,
  created_by TEXT NOT NULL, PRIMARY KEY (tenant_id, version));
ALTER TABLE alerts ADD COLUMN resolution TEXT
`,
  },
  {
    version: 29,
    name: 'imports over HTTP as jobs',
    // Issue 22 (service/import-jobs.ts, ADR 0025): a file uploaded for import, imported off the request
    // path. Its row says where it stands — a phase and counts of rows, never a value — and, at its end,
    // the import's counts or the error's code and safe details (the invalid rows as row, field, rule).
    sql: `
CREATE TABLE import_jobs (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
  record_type TEXT NOT NULL, format TEXT, status TEXT NOT NULL, phase TEXT NOT NULL,
  rows_read INTEGER NOT NULL DEFAULT 0, rows_validated INTEGER NOT NULL DEFAULT 0,
  rows_invalid INTEGER NOT NULL DEFAULT 0, rows_stored INTEGER NOT NULL DEFAULT 0, rows_total INTEGER,
  owner TEXT NOT NULL, heartbeat_at TEXT NOT NULL, finished_at TEXT, result TEXT, error_code TEXT,
  error_details TEXT);
CREATE INDEX import_jobs_open ON import_jobs (tenant_id, status)
`,
  },
  {
    version: 30,
    name: 'shared guard counters and login throttles',
    // Issue 23 (service/shared-guard.ts, ADR 0027): several servers on one PostgreSQL count a
    // principal's reads together. One row per principal holds the guard's counters of the day (JSON:
    // counts, record sequence numbers, times; never a value), locked while a read is checked; its
    // peer group and day let a server see its peers' volumes. Login attempts per address (a keyed
    // hash, never the address) are throttled the same way. Unused on SQLite (one server).
    sql: `
CREATE TABLE guard_counters (
  tenant_id TEXT NOT NULL, principal_id TEXT NOT NULL, day TEXT NOT NULL, peer_group TEXT NOT NULL,
  clear_today INTEGER NOT NULL, state TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, principal_id));
CREATE INDEX guard_counters_peers ON guard_counters (tenant_id, day, peer_group);
CREATE TABLE login_throttles (
  tenant_id TEXT NOT NULL, address_key TEXT NOT NULL, attempts TEXT NOT NULL,
  PRIMARY KEY (tenant_id, address_key))
`,
  },
];
