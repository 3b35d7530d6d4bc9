/**
 * The guard's settings in force: the newest version a data-protection officer stored
 * (service/guard-settings.ts), or, in a vault where none did (version 0), the configuration the
 * services were opened with (DEFAULT_GUARD unless a test or a deployment gives its own). The
 * version is re-read at most once a second, so that a change made through another process reaches
 * this one's guard within a second; a change made through this process is adopted at once.
 */
import type { Guard, GuardConfig } from '../access/guard.ts';
import type { Db } from '../store/db.ts';
import { GuardSettingsRepo } from '../store/repos/guard-settings.ts';

const RECHECK_MS = 1000;

export interface GuardSettingsVersion {
  readonly version: number;
  readonly config: GuardConfig;
  /** When and by whom it was stored (null for version 0, the configuration the services opened with). */
  readonly at: string | null;
  readonly by: string | null;
}

export class GuardState {
  readonly repo: GuardSettingsRepo;
  readonly #guard: Guard;
  readonly #base: GuardConfig;

  /** The configuration the services were opened with (version 0). */
  get base(): GuardConfig {
    return this.#base;
  }
  #current: GuardSettingsVersion;
  #checkedAt = 0;

  constructor(db: Db, tenantId: string, guard: Guard, base: GuardConfig) {
    this.repo = new GuardSettingsRepo(db, tenantId);
    this.#guard = guard;
    this.#base = base;
    this.#current = { version: 0, config: base, at: null, by: null };
  }

  /** The settings in force (re-read from the database at most once a second, or now with `force`). */
  async current(force = false): Promise<GuardSettingsVersion> {
    const now = Date.now();
    if (!force && now - this.#checkedAt < RECHECK_MS) return this.#current;
    this.#checkedAt = now;
    const version = await this.repo.latestVersion();
    if (version !== this.#current.version) {
      const row = version === 0 ? undefined : await this.repo.get(version);
      if (row) this.adopt({ version, config: fromJson(row.settings), at: row.at, by: row.by });
      else if (version === 0) this.adopt({ version: 0, config: this.#base, at: null, by: null });
    }
    return this.#current;
  }

  /** Puts a version in force at once. */
  adopt(v: GuardSettingsVersion): void {
    if (v.version < this.#current.version) return;
    this.#current = v;
    this.#guard.configure(v.config);
  }
}

/** Stored JSON back to a configuration (`normalCap` absent is no ceiling; JSON has no Infinity). */
export function fromJson(text: string): GuardConfig {
  const c = JSON.parse(text) as GuardConfig & { night: [number, number] };
  return Object.freeze({ ...c, night: [c.night[0], c.night[1]] as const });
}
