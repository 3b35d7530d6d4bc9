/**
 * The guard's settings as data (issue 22 item 2, docs/adr/0023-guard-settings-as-data.md): a
 * data-protection officer reads them (an auditor too) and replaces them as a whole, each change a
 * new version with its ledger entry, written only if the version the DPO read is still the newest
 * (optimistic concurrency: two DPOs editing at once cannot overwrite each other unseen). The new
 * version is in force at once in this process, and within a second in any other (guard-state.ts).
 *
 * The ledger entry says which version, a hash of the settings and which properties changed (names
 * such as `velocityPerMinute` or `organisations.<id>.headroom`): no personal value.
 */
import { TracevaultError } from '../errors.ts';
import type { GuardConfig } from '../access/guard.ts';
import { checkGuardSettings, RULE_DEFAULTS } from '../access/guard-settings.ts';
import { entryOf, type RequestContext } from './context.ts';
import { sha256, type Gate } from './gate.ts';
import { fromJson, type GuardSettingsVersion } from './guard-state.ts';

export interface GuardSettingsView {
  readonly version: number;
  readonly settings: GuardConfig;
  readonly changedAt: string | null;
  readonly changedBy: string | null;
  /** What each rule does unless `actions` says otherwise. */
  readonly ruleDefaults: typeof RULE_DEFAULTS;
}

const view = (v: GuardSettingsVersion): GuardSettingsView => ({
  version: v.version,
  settings: { actions: {}, roles: {}, organisations: {}, ...v.config },
  changedAt: v.at,
  changedBy: v.by,
  ruleDefaults: RULE_DEFAULTS,
});

/** The property paths whose values differ between two settings (`roles.dpo.headroom`). */
export function changedPaths(a: unknown, b: unknown, at = ''): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  if (!isObj(a) || !isObj(b) || Array.isArray(a) || Array.isArray(b))
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => changedPaths(a[k], b[k], at ? `${at}.${k}` : k));
}

export class GuardSettings {
  readonly #gate: Gate;

  constructor(gate: Gate) {
    this.#gate = gate;
  }

  /** The settings in force and their version (data-protection officers, auditors). */
  async get(ctx: RequestContext): Promise<GuardSettingsView> {
    await this.#gate.authorise(ctx, 'view_alerts', { type: 'Api', area: 'guard' });
    return view(await this.#gate.guardState.current(true));
  }

  /**
   * Every stored version, newest first (at most 100), with what each changed from the one before
   * (version 1: from the configuration the server opened with, as far as this process knows it).
   */
  async versions(
    ctx: RequestContext,
  ): Promise<{ version: number; changedAt: string; changedBy: string; changed: string[] }[]> {
    await this.#gate.authorise(ctx, 'view_alerts', { type: 'Api', area: 'guard' });
    const rows = await this.#gate.guardState.repo.list(100);
    return rows.slice(0, 100).map((r, i) => {
      const before = rows[i + 1];
      const prev = before ? fromJson(before.settings) : this.#gate.guardState.base;
      return {
        version: r.version,
        changedAt: r.at,
        changedBy: r.by,
        changed: changedPaths(
          view({ version: 0, config: prev, at: null, by: null }).settings,
          view({
            version: r.version,
            config: fromJson(r.settings),
            at: r.at,
            by: r.by,
          }).settings,
        ),
      };
    });
  }

  /**
   * Replaces the settings (a data-protection officer): refused with ERR_CONFLICT unless
   * `expectedVersion` is the newest, with ERR_INVALID_FIELD naming the property if they make no sense.
   */
  async put(ctx: RequestContext, expectedVersion: number, settings: GuardConfig): Promise<GuardSettingsView> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'guard' });
    const orgIds = Object.keys(settings.organisations ?? {});
    const known = new Set<string>();
    for (const id of orgIds.slice(0, 1000)) if (await gate.vault.organisation(id)) known.add(id);
    const config = checkGuardSettings(settings, (id) => known.has(id));
    const current = await gate.guardState.current(true);
    if (current.version !== expectedVersion) throw new TracevaultError('ERR_CONFLICT', { rule: 'staleVersion' });
    const text = JSON.stringify(config);
    const next: GuardSettingsVersion = {
      version: expectedVersion + 1,
      config: Object.freeze(config),
      at: gate.now().toISOString(),
      by: ctx.principal.id,
    };
    const changed = changedPaths(view(current).settings, view(next).settings);
    await gate.commit(async (tx, events) => {
      const stored = await gate.guardState.repo.insert(tx, {
        version: next.version,
        settings: text,
        at: next.at!,
        by: next.by!,
      });
      // Another DPO stored this version between our read and our write.
      if (!stored) throw new TracevaultError('ERR_CONFLICT', { rule: 'staleVersion' });
      events.push({
        ...entryOf(ctx),
        action: 'guard.change',
        outcome: 'ok',
        detail: { version: next.version, sha256: sha256(text), changed: changed.join(',').slice(0, 2000) },
      });
    });
    gate.guardState.adopt(next);
    return view(next);
  }
}
