/** The Cedar policy's versions (a new text is a new version; none is ever changed or deleted). */
import type { Db } from '../db.ts';

export interface PolicyVersion {
  readonly version: number;
  readonly text: string;
}

export class PolicyRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async exists(): Promise<boolean> {
    return !!(await this.#db.get('SELECT 1 AS x FROM policies WHERE tenant_id = ?', [this.#tenant]));
  }

  /** The newest version number (0 when there is none). */
  async latestVersion(): Promise<number> {
    const row = await this.#db.get<{ version: number | null }>(
      'SELECT MAX(version) AS version FROM policies WHERE tenant_id = ?',
      [this.#tenant],
    );
    return Number(row?.version ?? 0);
  }

  async text(version: number): Promise<string | undefined> {
    const row = await this.#db.get<{ text: string }>('SELECT text FROM policies WHERE tenant_id = ? AND version = ?', [
      this.#tenant,
      version,
    ]);
    return row?.text;
  }

  /** Writes a version; with `ifAbsent`, a concurrent writer of the same version wins silently. */
  async insert(tx: Db, v: PolicyVersion & { at: string; by: string }, ifAbsent = false): Promise<void> {
    await tx.run(
      `INSERT INTO policies (tenant_id, version, text, created_at, created_by) VALUES (?, ?, ?, ?, ?)${
        ifAbsent ? ' ON CONFLICT DO NOTHING' : ''
      }`,
      [this.#tenant, v.version, v.text, v.at, v.by],
    );
  }
}
