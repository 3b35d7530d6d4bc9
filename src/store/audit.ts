/**
 * The hook through which every operation on personal data is recorded, in the same transaction as
 * the operation: if the event cannot be written, the operation fails (fail closed). Events hold
 * identifiers only — principal ids, a keyed reference to the record, field names — never values.
 * The tamper-evident ledger (Merkle tree, checkpoints) is built on this table.
 */
import { randomBytesPooled } from '../crypto/random-pool.ts';
import type { Db } from './db.ts';
import { lockUntilCommit } from './dialect/locks.ts';

export type AuditAction =
  | 'collect'
  | 'read'
  | 'reveal'
  | 'export'
  | 'approve'
  | 'update'
  | 'erase'
  | 'login'
  | 'login.failed'
  | 'policy.change'
  | 'guard.change'
  | 'policy.preview'
  | 'key.rotate'
  | 'principal.create'
  | 'principal.approve'
  | 'principal.enrol'
  | 'principal.disable'
  | 'principal.relationships'
  | 'organisation.create'
  | 'import'
  | 'search'
  | 'export.request'
  | 'export.refuse'
  | 'alert'
  | 'aggregate'
  | 'identifier.hash'
  | 'alert.resolve'
  | 'logout'
  | 'trace'
  | 'consent.grant'
  | 'consent.withdraw'
  | 'consent.list'
  | 'invitation.issue'
  | 'guardian.enrol'
  | 'guardian.login'
  | 'guardian.login.failed'
  | 'guardian.logout'
  | 'call.register'
  | 'call.verify'
  | 'call.report'
  | 'rights.request'
  | 'rights.decide'
  | 'rights.copy'
  | 'rights.list'
  | 'trace.confirm'
  | 'notice.issue'
  | 'notice.list'
  | 'due_list';

export interface AuditEvent {
  readonly action: AuditAction;
  readonly principalId: string;
  readonly organisationId?: string;
  /** The principal's roles, comma-separated. */
  readonly roles?: string;
  /** Keyed HMAC of the record id (see Registry.recordRef), never an identifier of a person. */
  readonly recordRef?: string;
  readonly fields?: readonly string[];
  readonly outcome?: 'ok' | 'denied' | 'blocked' | 'error';
  readonly purpose?: string;
  /** The policy's decision and the version of the policy that made it, e.g. "allow@3". */
  readonly decision?: string;
  readonly disclosureId?: string;
  readonly requestId?: string;
  /** Further identifiers: import id, purpose, counts. Never a personal value. */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Keyed references of further records the entry is about (an export's rows): indexed with the
   * entry (ledger_record_entries) for their families' access history, never written into it.
   */
  readonly covers?: readonly string[];
}

export interface AuditSink {
  append(tx: Db, tenantId: string, at: string, events: readonly AuditEvent[]): Promise<void>;
}

/**
 * Appends to audit_events with gap-free sequence numbers (one writer at a time: see below). Each
 * entry gets 16 random bytes of salt, part of its leaf input (ledger/log.ts), so that its public
 * leaf hash hides it.
 */
export const tableAuditSink: AuditSink = {
  async append(tx, tenantId, at, events) {
    if (events.length === 0) return;
    // One sequencer across processes, held until the transaction ends.
    await lockUntilCommit(tx, 'auditSequencer');
    const last = await tx.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM audit_events');
    let seq = Number(last?.seq ?? 0);
    const links: [string, number, string][] = [];
    await tx.insertMany(
      'INSERT INTO audit_events (seq, tenant_id, at, principal_id, action, record_ref, entry, salt) VALUES',
      events.map((e) => {
        ++seq;
        const refs = new Set(e.covers);
        if (e.recordRef) refs.add(e.recordRef);
        for (const ref of refs) links.push([ref, seq, tenantId]);
        return [
          seq,
          tenantId,
          at,
          e.principalId,
          e.action,
          e.recordRef ?? null,
          JSON.stringify(e.covers ? { ...e, covers: undefined } : e),
          randomBytesPooled(16).toString('hex'),
        ];
      }),
    );
    // Which records each entry is about, in the same transaction: a family's history is a lookup.
    if (links.length > 0)
      await tx.insertMany('INSERT INTO ledger_record_entries (record_ref, seq, tenant_id) VALUES', links);
  },
};
