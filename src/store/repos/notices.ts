/**
 * Breach notices (service/portal/notices.ts): one per confirmed trace, with the records its leak
 * exposed. What a notice says is kept as field names, times and codes — never a value — so a row is
 * the same for every family it reaches; a guardian reaches it through the records it enrolled for.
 */
import type { Db } from '../db.ts';

/** The `?` placeholders of an IN list. */
const qs = (n: number) => Array.from({ length: n }, () => '?').join(',');

export interface NoticeRow {
  readonly id: string;
  readonly traceId: string;
  readonly confirmedAt: string;
  readonly fields: readonly string[];
  readonly windowFrom: string | null;
  readonly windowTo: string | null;
  readonly sourceKind: string;
  readonly actions: readonly string[];
}

/** A notice as one guardian sees it: which of its own children the leak exposed. */
export interface GuardianNoticeRow extends NoticeRow {
  readonly childIds: readonly string[];
}

/** Records linked to a notice in one statement at most. */
const PAGE = 500;

export class NoticeRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** Whether a trace has been confirmed already (its notice exists). */
  async ofTrace(traceId: string, db: Db = this.#db): Promise<string | undefined> {
    const r = await db.get<{ id: string }>('SELECT id FROM breach_notices WHERE tenant_id = ? AND trace_id = ?', [
      this.#tenant,
      traceId,
    ]);
    return r?.id;
  }

  /**
   * Stores a notice and links the records (by id) that exist and are not erased; returns them with
   * their sequence numbers (an erased record has no family left to tell).
   */
  async insert(
    tx: Db,
    n: NoticeRow & { confirmedBy: string },
    recordIds: readonly string[],
  ): Promise<{ id: string; seq: number }[]> {
    await tx.run(
      'INSERT INTO breach_notices (id, tenant_id, trace_id, confirmed_by, confirmed_at, fields, window_from, ' +
        'window_to, source_kind, actions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        n.id,
        this.#tenant,
        n.traceId,
        n.confirmedBy,
        n.confirmedAt,
        JSON.stringify(n.fields),
        n.windowFrom,
        n.windowTo,
        n.sourceKind,
        JSON.stringify(n.actions),
      ],
    );
    const linked: { id: string; seq: number }[] = [];
    const unique = [...new Set(recordIds)];
    for (let i = 0; i < unique.length; i += PAGE) {
      const page = unique.slice(i, i + PAGE);
      const rows = await tx.all<{ id: string; seq: number }>(
        `SELECT id, seq FROM records WHERE tenant_id = ? AND erased_at IS NULL AND id IN (${qs(page.length)})`,
        [this.#tenant, ...page],
      );
      for (const r of rows) {
        await tx.run('INSERT INTO breach_notice_records (notice_id, record_seq) VALUES (?, ?)', [n.id, r.seq]);
        linked.push({ id: r.id, seq: Number(r.seq) });
      }
    }
    return linked;
  }

  /** The enrolled guardians of some records, each once, with its sealed number (for the message). */
  async guardiansOf(tx: Db, recordSeqs: readonly number[]): Promise<{ id: string; phoneSealed: Buffer }[]> {
    const out = new Map<string, Buffer>();
    for (let i = 0; i < recordSeqs.length; i += PAGE) {
      const page = recordSeqs.slice(i, i + PAGE);
      const rows = await tx.all<{ id: string; phone_sealed: Buffer }>(
        'SELECT DISTINCT g.id, g.phone_sealed FROM guardian_children c JOIN guardians g ON g.id = c.guardian_id ' +
          `WHERE g.tenant_id = ? AND c.record_seq IN (${qs(page.length)})`,
        [this.#tenant, ...page],
      );
      for (const r of rows) out.set(r.id, Buffer.from(r.phone_sealed));
    }
    return [...out].map(([id, phoneSealed]) => ({ id, phoneSealed }));
  }

  /** The notices about a guardian's own children (not erased), newest first, each with those children. */
  async forGuardian(guardianId: string): Promise<GuardianNoticeRow[]> {
    const rows = await this.#db.all<{
      id: string;
      trace_id: string;
      confirmed_at: string;
      fields: string;
      window_from: string | null;
      window_to: string | null;
      source_kind: string;
      actions: string;
      record_id: string;
    }>(
      'SELECT n.id, n.trace_id, n.confirmed_at, n.fields, n.window_from, n.window_to, n.source_kind, n.actions, ' +
        'r.id AS record_id FROM guardian_children c ' +
        'JOIN records r ON r.seq = c.record_seq AND r.erased_at IS NULL ' +
        'JOIN breach_notice_records nr ON nr.record_seq = c.record_seq ' +
        'JOIN breach_notices n ON n.id = nr.notice_id AND n.tenant_id = ? ' +
        'WHERE c.guardian_id = ? ORDER BY n.confirmed_at DESC, n.id, r.seq',
      [this.#tenant, guardianId],
    );
    const byId = new Map<string, GuardianNoticeRow & { childIds: string[] }>();
    for (const r of rows) {
      let n = byId.get(r.id);
      if (!n) {
        n = {
          id: r.id,
          traceId: r.trace_id,
          confirmedAt: r.confirmed_at,
          fields: JSON.parse(r.fields) as string[],
          windowFrom: r.window_from,
          windowTo: r.window_to,
          sourceKind: r.source_kind,
          actions: JSON.parse(r.actions) as string[],
          childIds: [],
        };
        byId.set(r.id, n);
      }
      n.childIds.push(r.record_id);
    }
    return [...byId.values()];
  }

  /** The kind of the disclosure a trace accused, and of its principal's organisation. */
  async disclosureKind(disclosureId: string): Promise<{ exportId: string | null; orgKind: string | null } | undefined> {
    const r = await this.#db.get<{ export_id: string | null; kind: string | null }>(
      'SELECT d.export_id, o.kind FROM disclosures d LEFT JOIN principals p ON p.id = d.principal_id ' +
        'LEFT JOIN organisations o ON o.id = p.org_id WHERE d.tenant_id = ? AND d.id = ?',
      [this.#tenant, disclosureId],
    );
    return r && { exportId: r.export_id, orgKind: r.kind };
  }

  /** The organisation kind of a principal (a partner's staff is a partner source). */
  async principalOrgKind(principalId: string): Promise<string | null> {
    const r = await this.#db.get<{ kind: string | null }>(
      'SELECT o.kind FROM principals p LEFT JOIN organisations o ON o.id = p.org_id WHERE p.tenant_id = ? AND p.id = ?',
      [this.#tenant, principalId],
    );
    return r?.kind ?? null;
  }
}
