/**
 * Migrations 1–21: the registry core, the ledger, access, fingerprints, canaries, traces and
 * enrolments.
 */
import type { Migration } from './migration.ts';

export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry core',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tenants (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE data_keys (
  tenant_id TEXT NOT NULL REFERENCES tenants(id), purpose TEXT NOT NULL, version INTEGER NOT NULL,
  kek_id TEXT NOT NULL, wrapped {blob} NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, purpose, version));
CREATE TABLE organisations (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL,
  kind TEXT NOT NULL, region TEXT, created_at TEXT NOT NULL, created_by TEXT);
CREATE TABLE principals (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), org_id TEXT REFERENCES organisations(id),
  display_name TEXT NOT NULL, roles TEXT NOT NULL, token_hash {blob} UNIQUE, created_at TEXT NOT NULL,
  created_by TEXT, disabled_at TEXT);
CREATE TABLE records (
  seq {bigint} PRIMARY KEY, id TEXT NOT NULL UNIQUE, tenant_id TEXT NOT NULL REFERENCES tenants(id),
  record_type TEXT NOT NULL, org_id TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
  erased_at TEXT, erased_by TEXT);
CREATE INDEX records_tenant ON records (tenant_id, record_type, created_at);
CREATE TABLE record_keys (
  record_seq {bigint} PRIMARY KEY REFERENCES records(seq), gen INTEGER NOT NULL, dek_version INTEGER NOT NULL,
  wrapped {blob} NOT NULL);
CREATE INDEX record_keys_dek ON record_keys (dek_version);
CREATE TABLE record_changes (
  record_seq {bigint} NOT NULL REFERENCES records(seq), change INTEGER NOT NULL,
  valid_from TEXT NOT NULL, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL,
  key_gen INTEGER NOT NULL, sealed {blob} NOT NULL,
  PRIMARY KEY (record_seq, change)) {norowid};
CREATE TABLE blind_index (
  digest {blob} NOT NULL, record_seq {bigint} NOT NULL,
  PRIMARY KEY (digest, record_seq)) {norowid};
CREATE INDEX blind_index_record ON blind_index (record_seq);
CREATE TABLE imports (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, file_sha256 TEXT NOT NULL, record_type TEXT NOT NULL,
  principal_id TEXT NOT NULL, rows_total INTEGER NOT NULL, rows_committed INTEGER NOT NULL,
  records_created INTEGER NOT NULL, duplicates INTEGER NOT NULL, status TEXT NOT NULL,
  started_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  UNIQUE (tenant_id, file_sha256, record_type));
CREATE TABLE key_rotations (
  tenant_id TEXT NOT NULL, to_version INTEGER NOT NULL, status TEXT NOT NULL, records_done INTEGER NOT NULL,
  started_at TEXT NOT NULL, finished_at TEXT, PRIMARY KEY (tenant_id, to_version));
CREATE TABLE audit_events (
  seq {bigint} PRIMARY KEY, tenant_id TEXT NOT NULL, at TEXT NOT NULL, principal_id TEXT NOT NULL,
  action TEXT NOT NULL, record_ref TEXT, entry TEXT NOT NULL);
CREATE SEQUENCE IF NOT EXISTS {records_seq}
`,
  },
  {
    version: 2,
    name: 'staged imports',
    // Records written by an import that has not been published yet: invisible to every read.
    sql: `
ALTER TABLE records ADD COLUMN staged_by TEXT;
CREATE INDEX records_staged ON records (staged_by) WHERE staged_by IS NOT NULL;
`,
  },
  {
    version: 3,
    name: 'ledger tree',
    // The Merkle tree over audit_events (leaf i = entry seq i + 1): its right edge, its tiles
    // (c2sp tlog-tiles, 256 hashes a tile) and the signed checkpoints. Derived data: the entries
    // are the truth, and \`ledger verify\` rebuilds all of it from them.
    sql: `
CREATE TABLE ledger_state (id INTEGER PRIMARY KEY, size {bigint} NOT NULL, edge {blob} NOT NULL);
CREATE TABLE ledger_tiles (
  level INTEGER NOT NULL, idx {bigint} NOT NULL, hashes {blob} NOT NULL, PRIMARY KEY (level, idx));
CREATE TABLE ledger_checkpoints (
  size {bigint} PRIMARY KEY, root {blob} NOT NULL, note TEXT NOT NULL, signed_at TEXT NOT NULL);
{append_only}
`,
  },
  {
    version: 4,
    name: 'ledger witnesses',
    sql: `
CREATE TABLE ledger_cosignatures (
  size {bigint} NOT NULL, witness TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (size, witness));
CREATE TABLE ledger_witness_sizes (witness TEXT PRIMARY KEY, size {bigint} NOT NULL);
`,
  },
  {
    version: 5,
    name: 'access',
    // People log in (argon2id password, sessions, lockout); services use API tokens. Care
    // relationships scope reads; policies are versioned Cedar text; every clear value that leaves
    // is a disclosure (which record field versions, to whom, for what); exports wait for approval;
    // the guard's alerts and blocks. A justification is free text that may name a person: it is
    // kept sealed (AES-GCM under the tenant data key), never in clear.
    sql: `
ALTER TABLE principals ADD COLUMN login TEXT;
ALTER TABLE principals ADD COLUMN password_hash TEXT;
ALTER TABLE principals ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE principals ADD COLUMN locked_until TEXT;
CREATE UNIQUE INDEX principals_login ON principals (tenant_id, login);
CREATE TABLE sessions (
  token_hash {blob} PRIMARY KEY, principal_id TEXT NOT NULL REFERENCES principals(id),
  created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE care_relationships (
  principal_id TEXT NOT NULL REFERENCES principals(id), kind TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (principal_id, kind, value));
CREATE TABLE policies (
  tenant_id TEXT NOT NULL, version INTEGER NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL,
  created_by TEXT NOT NULL, PRIMARY KEY (tenant_id, version));
CREATE TABLE disclosures (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, principal_id TEXT NOT NULL, org_id TEXT,
  purpose TEXT NOT NULL, channel TEXT NOT NULL, at TEXT NOT NULL, request_id TEXT,
  export_id TEXT, justification {blob});
CREATE INDEX disclosures_principal ON disclosures (principal_id, at);
CREATE TABLE disclosure_items (
  disclosure_id TEXT NOT NULL, record_seq {bigint} NOT NULL, field TEXT NOT NULL, version INTEGER NOT NULL,
  PRIMARY KEY (disclosure_id, record_seq, field));
CREATE INDEX disclosure_items_record ON disclosure_items (record_seq);
CREATE TABLE exports (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at TEXT NOT NULL,
  purpose TEXT NOT NULL, filter TEXT NOT NULL, fields TEXT NOT NULL, format TEXT NOT NULL,
  status TEXT NOT NULL, decided_by TEXT, decided_at TEXT, expires_at TEXT, downloads INTEGER NOT NULL DEFAULT 0);
CREATE TABLE alerts (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, at TEXT NOT NULL, principal_id TEXT NOT NULL,
  rule TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL, resolved_at TEXT, resolved_by TEXT);
CREATE INDEX alerts_at ON alerts (tenant_id, at);
CREATE TABLE guard_blocks (
  principal_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, since TEXT NOT NULL, rule TEXT NOT NULL,
  alert_id TEXT NOT NULL);
CREATE TABLE poison_records (record_ref TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE consents (
  record_seq {bigint} NOT NULL, org_id TEXT NOT NULL, purpose TEXT NOT NULL, granted_at TEXT NOT NULL,
  PRIMARY KEY (record_seq, org_id, purpose))
`,
  },
  {
    version: 6,
    name: 'fingerprints',
    // The fingerprint scheme a disclosure was marked with; its key is derived from the tenant's
    // key and the disclosure id, so what was sent can be re-derived bit for bit.
    sql: `
ALTER TABLE disclosures ADD COLUMN fingerprint TEXT
`,
  },
  {
    version: 7,
    name: 'canaries',
    // Canaries minted into disclosures (disclose/canary.ts): a keyed reference to the virtual key
    // to find one in a leak, and the row sealed for investigators.
    sql: `
CREATE TABLE canaries (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, disclosure_id TEXT NOT NULL, vkey_ref {blob},
  sealed {blob} NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX canaries_ref ON canaries (tenant_id, vkey_ref)
`,
  },
  {
    version: 8,
    name: 'canary contact points',
    // Phone numbers and mailboxes the operator controls, given to canaries; and reports of calls or
    // messages to them. Values and quotes are sealed; lookups go through a keyed reference.
    sql: `
CREATE TABLE canary_contacts (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, kind TEXT NOT NULL, value_ref {blob} NOT NULL,
  sealed {blob} NOT NULL, assigned INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
  UNIQUE (tenant_id, value_ref));
ALTER TABLE canaries ADD COLUMN contact_id TEXT;
CREATE INDEX canaries_contact ON canaries (contact_id);
CREATE TABLE canary_hits (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, contact_id TEXT NOT NULL, at TEXT NOT NULL,
  confirmed INTEGER NOT NULL, canary_id TEXT, disclosure_id TEXT, quote {blob} NOT NULL, recorded_at TEXT NOT NULL)
`,
  },
  {
    version: 9,
    name: 'traces',
    // Linkage blocking keys live in blind_index (schema/blocking.ts). Records sealed before this
    // version have none yet: the first trace adds them (trace/backfill.ts). A trace's report names
    // record and principal ids, never a personal value; it is kept sealed all the same.
    sql: `
INSERT INTO meta (key, value) SELECT 'trace_blocks', 'pending' WHERE EXISTS (SELECT 1 FROM records);
CREATE TABLE traces (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
  rows_total INTEGER NOT NULL, accused TEXT, report {blob} NOT NULL)
`,
  },
  {
    version: 10,
    name: 'canary-aware exports',
    // An export can ask for a column that flags its canary rows, for recipients who contact
    // families (disclose/canary.ts); the data-protection officer sees it when approving.
    sql: `
ALTER TABLE exports ADD COLUMN canary_aware INTEGER NOT NULL DEFAULT 0
`,
  },
  {
    version: 11,
    name: 'records by organisation',
    // A trace counts records by hospital and month, and a hospital's export selects its records:
    // without this index each scanned every record of the tenant.
    sql: `
CREATE INDEX records_org ON records (org_id, created_at)
`,
  },
  {
    version: 12,
    name: 'record changes in a rowid table',
    only: 'sqlite',
    // A sealed change is 1-2 KB. In a WITHOUT ROWID table SQLite keeps at most ~1 KB of a row on its
    // B-tree page and the rest on an overflow page of its own (sqlite.org/withoutrowid.html §4: such
    // tables suit rows under 1/20 of a page), so every change took a 4 KB page and a second read. In
    // a rowid table a row of up to ~4 KB stays on its page: a third of the file, and reads in one.
    sql: `
CREATE TABLE record_changes_rowid (
  record_seq INTEGER NOT NULL REFERENCES records(seq), change INTEGER NOT NULL,
  valid_from TEXT NOT NULL, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL,
  key_gen INTEGER NOT NULL, sealed BLOB NOT NULL);
INSERT INTO record_changes_rowid (record_seq, change, valid_from, recorded_at, recorded_by, key_gen, sealed)
  SELECT record_seq, change, valid_from, recorded_at, recorded_by, key_gen, sealed FROM record_changes
  ORDER BY record_seq, change;
DROP TABLE record_changes;
ALTER TABLE record_changes_rowid RENAME TO record_changes;
CREATE UNIQUE INDEX record_changes_key ON record_changes (record_seq, change)
`,
  },
  {
    version: 13,
    name: 'current versions',
    // Each record's current versions sealed in one message (store/seal-record.ts), kept in step with
    // its changes: a read opens one row instead of every change. Records written before this
    // migration are read from their changes until their next change or key rotation.
    sql: `
CREATE TABLE record_current (
  record_seq {bigint} PRIMARY KEY REFERENCES records(seq), change INTEGER NOT NULL, key_gen INTEGER NOT NULL,
  sealed {blob} NOT NULL)
`,
  },
  {
    version: 14,
    name: 'erased records index',
    // The few erased records, apart: a count of the live ones is then the tenant's index (covering)
    // minus these, instead of a scan of every record row (4 s at a million; trace/registry-counts.ts).
    sql: `
CREATE INDEX records_erased ON records (tenant_id) WHERE erased_at IS NOT NULL
`,
  },
  {
    version: 15,
    name: 'fields of a change',
    // Which fields each change holds (store/field-mask.ts), indexed with its record, so that the
    // histories of a few fields are read without the other changes' rows (Registry.histories with
    // `fields`): a trace of the leak's columns leaves every vaccination on disk. Changes stored
    // before have none (NULL: always read) until the next key rotation fills it in (store/key-rotation.ts).
    sql: `
ALTER TABLE record_changes ADD COLUMN fields INTEGER;
CREATE INDEX record_changes_fields ON record_changes (record_seq, fields, change)
`,
  },
  {
    version: 16,
    name: 'disclosed items by record, covering',
    // What was disclosed of given records (a trace asks for hundreds of thousands; a parent's portal
    // for one) answered from the index alone, instead of one table row fetched per item.
    sql: `
CREATE INDEX disclosure_items_by_record ON disclosure_items (record_seq, disclosure_id, field, version);
DROP INDEX disclosure_items_record
`,
  },
  {
    version: 17,
    name: 'staged blind-index digests',
    // An import's staged records keep their blind-index digests here, all of a record in one row
    // (16 bytes each), until they are published: then they enter blind_index in digest order
    // (Registry.publishStaged). Inserted one by one, in the random order of keyed hashes, they cost
    // a quarter of an import's time and most of its commits' pages once the index outgrew the cache.
    sql: `
CREATE TABLE staged_digests (record_seq {bigint} PRIMARY KEY REFERENCES records(seq), digests {blob} NOT NULL)
`,
  },
  {
    version: 18,
    name: 'salted ledger entries, case-blind logins',
    // Each new ledger entry's random salt, part of its leaf input (ledger/log.ts): the public leaf
    // hashes then hide the entries. Entries already appended keep NULL and their unsalted leaves.
    // Logins are stored normalised (NFKC, lower case: store/repos/accounts.ts) and looked up so;
    // those already stored are lower-cased (they are ASCII: service/directory.ts) unless another of
    // the tenant differs from one only in case: those stay as they were, and of them only one
    // already in lower case can still log in (an administrator gives the others new logins).
    sql: `
ALTER TABLE audit_events ADD COLUMN salt TEXT;
UPDATE principals SET login = lower(login)
  WHERE login IS NOT NULL AND login <> lower(login) AND NOT EXISTS (
    SELECT 1 FROM principals q WHERE q.tenant_id = principals.tenant_id AND q.id <> principals.id
      AND lower(q.login) = lower(principals.login))
`,
  },
  {
    version: 19,
    name: 'trace jobs',
    // A trace runs as a job off the request path (service/trace-jobs.ts): its row says where it
    // stands (counts and a phase name, never a value), which process runs it and when that process
    // last said so (`heartbeat_at`: a job whose process stopped is failed by the next one). The
    // report, once done, is the `traces` row of the same id.
    sql: `
CREATE TABLE trace_jobs (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
  status TEXT NOT NULL, phase TEXT NOT NULL, rows_read INTEGER NOT NULL, phase_done INTEGER NOT NULL,
  phase_total INTEGER NOT NULL, owner TEXT NOT NULL, heartbeat_at TEXT NOT NULL, finished_at TEXT,
  error_code TEXT, error_details TEXT);
CREATE INDEX trace_jobs_open ON trace_jobs (status, heartbeat_at) WHERE status IN ('queued', 'running')
`,
  },
  {
    version: 20,
    name: 'enrolments',
    // A principal who may act on records is not created by one administrator alone (issue 20,
    // finding 9; service/enrolments.ts): it waits without a credential until a second administrator
    // approves it, then enrols itself with the two codes, one from each administrator. Only the
    // codes' SHA-256 hashes are kept.
    sql: `
CREATE TABLE enrolments (
  principal_id TEXT PRIMARY KEY REFERENCES principals(id), tenant_id TEXT NOT NULL, org_id TEXT,
  created_by TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, creator_code {blob} NOT NULL,
  approved_by TEXT, approved_at TEXT, approver_code {blob}, enrolled_at TEXT);
CREATE INDEX enrolments_open ON enrolments (tenant_id, created_at) WHERE enrolled_at IS NULL
`,
  },
  {
    version: 21,
    name: 'export justifications',
    // The justification given with an export request, for its approver to read (issue 20): free text
    // from a staff member that may name a person, so sealed like a disclosure's
    // (service/keys.ts sealJustification), never in clear and never in the ledger.
    sql: `
ALTER TABLE exports ADD COLUMN justification {blob}
`,
  },
];
