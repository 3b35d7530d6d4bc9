/** The guard's settings, one row per version (a new version for each change; none is changed or deleted). */
import type { Db } from '../db.ts';

export interface GuardSettingsRow {
  readonly version: number;
  /** The settings as JSON (access/guard-settings.ts checked them before they were stored). */
  readonly settings: string;
  readonly at: string;
  readonly by: string;
}

export class GuardSettingsRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** The newest version number (0 when a DPO never changed the settings). */
  async latestVersion(db: Db = this.#db): Promise<number> {
    const row = await db.get<{ version: number | null }>(
      'SELECT MAX(version) AS version FROM guard_settings WHERE tenant_id = ?',
      [this.#tenant],
    );
    return Number(row?.version ?? 0);
  }

  async get(version: number): Promise<GuardSettingsRow | undefined> {
    const r = await this.#db.get<{ version: number; settings: string; created_at: string; created_by: string }>(
      'SELECT version, settings, created_at, created_by FROM guard_settings WHERE tenant_id = ? AND version = ?',
      [this.#tenant, version],
    );
    return r && { version: Number(r.version), settings: r.settings, at: r.created_at, by: r.created_by };
  }

  /** The newest versions first, at most `limit`, with the one before the oldest (to say what it changed). */
  async list(limit: number): Promise<GuardSettingsRow[]> {
    const rows = await this.#db.all<{ version: number; settings: string; created_at: string; created_by: string }>(
      'SELECT version, settings, created_at, created_by FROM guard_settings WHERE tenant_id = ? ' +
        'ORDER BY version DESC LIMIT ?',
      [this.#tenant, limit + 1],
    );
    return rows.map((r) => ({ version: Number(r.version), settings: r.settings, at: r.created_at, by: r.created_by }));
  }

  /** Writes a version; false when that version exists already (another writer came first). */
  async insert(tx: Db, v: GuardSettingsRow): Promise<boolean> {
    const n = await tx.run(
      'INSERT INTO guard_settings (tenant_id, version, settings, created_at, created_by) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT DO NOTHING',
      [this.#tenant, v.version, v.settings, v.at, v.by],
    );
    return n > 0;
  }
}
