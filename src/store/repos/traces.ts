/** Trace reports, kept sealed (the service seals and opens them). */
import type { Db } from '../db.ts';

export class TraceRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async insert(
    tx: Db,
    t: { id: string; at: string; by: string; rows: number; accused: string | null; sealed: Buffer },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO traces (id, tenant_id, created_at, created_by, rows_total, accused, report) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
      [t.id, this.#tenant, t.at, t.by, t.rows, t.accused, t.sealed],
    );
  }

  async sealedReport(id: string): Promise<Buffer | undefined> {
    const row = await this.#db.get<{ report: Buffer }>('SELECT report FROM traces WHERE id = ? AND tenant_id = ?', [
      id,
      this.#tenant,
    ]);
    return row?.report;
  }
}
