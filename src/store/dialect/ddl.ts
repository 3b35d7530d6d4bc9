/**
 * The schema's dialect differences: migrations (../migrations.ts) are written once with
 * placeholders, and this fills them in for SQLite or PostgreSQL.
 */
import type { Dialect } from '../db.ts';

// UPDATE and DELETE on the log are refused by the database itself.
const APPEND_ONLY = {
  sqlite:
    `CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events ` +
    `BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;\n` +
    `CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events ` +
    `BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`,
  postgres:
    `CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql ` +
    `AS $fn$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $fn$;\n` +
    `CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events ` +
    `FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
};

/** A migration's SQL for `dialect`: column types, WITHOUT ROWID, the append-only trigger, the record sequence. */
export function renderDdl(sql: string, dialect: Dialect): string {
  return (
    sql
      .replaceAll('{blob}', dialect === 'sqlite' ? 'BLOB' : 'BYTEA')
      .replaceAll('{bigint}', dialect === 'sqlite' ? 'INTEGER' : 'BIGINT')
      .replaceAll('{norowid}', dialect === 'sqlite' ? 'WITHOUT ROWID' : '')
      .replace('{append_only}', APPEND_ONLY[dialect])
      // PostgreSQL hands out record sequence numbers from a sequence; SQLite takes MAX + 1 under its single writer.
      .replace(
        /CREATE SEQUENCE IF NOT EXISTS \{records_seq\}/,
        dialect === 'postgres' ? 'CREATE SEQUENCE IF NOT EXISTS records_seq' : '',
      )
  );
}
