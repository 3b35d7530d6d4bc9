/**
 * An alert as a data-protection officer weighs it (GET /v1/alerts/{id}): the alert, who it is about
 * (name, roles, organisation, whether blocked now) and that principal's recent activity — distinct
 * records disclosed in clear per hour over the last day and per day (Asia/Shanghai) over the last
 * 28, its last disclosures' channel, purpose and size, its other alerts by rule. Counts and times
 * only: no record is named, no value shown. And "keep blocked": the alert reviewed, its block kept,
 * with a reason from a closed list (free text could carry a name; a list cannot).
 */
import { TracevaultError } from '../errors.ts';
import { localDate } from '../schema/local-date.ts';
import { AlertContextRepo, type AlertDetailRow, type RecentDisclosure } from '../store/repos/alert-context.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';

export const KEEP_BLOCKED_REASONS = [
  'confirmed_misuse',
  'under_investigation',
  'awaiting_explanation',
  'credentials_compromised',
] as const;
export type KeepBlockedReason = (typeof KEEP_BLOCKED_REASONS)[number];

const DAYS = 28;
const RECENT = 10;

export interface AlertContext {
  readonly alert: AlertDetailRow;
  readonly principal: {
    readonly id: string;
    readonly displayName: string | null;
    readonly roles: readonly string[];
    readonly organization: { id: string; name: string; kind: string } | null;
    readonly blocked: boolean;
  };
  readonly activity: {
    /** The last 24 hours, oldest first: the start of each UTC hour and the distinct records disclosed in clear. */
    readonly clearPerHour: { hour: string; records: number }[];
    /** The last 28 local days (Asia/Shanghai), oldest first. */
    readonly clearPerDay: { day: string; records: number }[];
    readonly recentDisclosures: RecentDisclosure[];
    /** The principal's alerts of the last 28 days, by rule (this one included). */
    readonly alertsByRule: Record<string, number>;
  };
}

export class AlertContexts {
  readonly #gate: Gate;
  readonly #repo: AlertContextRepo;

  constructor(gate: Gate) {
    this.#gate = gate;
    this.#repo = new AlertContextRepo(gate.vault.db, gate.vault.tenantId);
  }

  /** The alert with its principal and recent activity (data-protection officers, auditors). */
  async get(ctx: RequestContext, id: string): Promise<AlertContext> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'view_alerts', { type: 'Api', area: 'alerts' });
    const alert = await this.#repo.alert(id);
    if (!alert) throw new TracevaultError('ERR_NOT_FOUND');
    const p = await gate.vault.principal(alert.principalId);
    const org = p?.orgId ? await gate.vault.organisation(p.orgId) : undefined;
    const now = gate.now().getTime();
    const since = new Date(now - DAYS * 86_400_000).toISOString();
    const rows = await this.#repo.clearByHour(alert.principalId, since);
    const top = Math.floor(now / 3_600_000) * 3_600_000;
    const hours = new Map<string, Set<number>>();
    const days = new Map<string, Set<number>>();
    const add = (m: Map<string, Set<number>>, k: string, r: number) => {
      let s = m.get(k);
      if (!s) m.set(k, (s = new Set()));
      s.add(r);
    };
    for (const r of rows) {
      const t = Date.parse(`${r.hour}:00:00Z`);
      add(days, localDate(t), r.record);
      if (t >= top - 23 * 3_600_000) add(hours, `${r.hour}:00:00Z`, r.record);
    }
    const clearPerHour: { hour: string; records: number }[] = [];
    for (let t = top - 23 * 3_600_000; t <= top; t += 3_600_000) {
      const hour = new Date(t).toISOString().slice(0, 13) + ':00:00Z';
      clearPerHour.push({ hour, records: hours.get(hour)?.size ?? 0 });
    }
    const clearPerDay: { day: string; records: number }[] = [];
    for (let i = DAYS - 1; i >= 0; i--) {
      const day = localDate(now - i * 86_400_000);
      clearPerDay.push({ day, records: days.get(day)?.size ?? 0 });
    }
    return {
      alert,
      principal: {
        id: alert.principalId,
        displayName: p?.displayName ?? null,
        roles: p?.roles ?? [],
        organization: org ? { id: org.id, name: org.name, kind: org.kind } : null,
        blocked: gate.guard.isBlocked(alert.principalId),
      },
      activity: {
        clearPerHour,
        clearPerDay,
        recentDisclosures: await this.#repo.recentDisclosures(alert.principalId, RECENT),
        alertsByRule: await this.#repo.alertsByRule(alert.principalId, since),
      },
    };
  }

  /**
   * A data-protection officer reviews an alert and keeps the principal blocked (never one about
   * themselves): the alert leaves the open queue, the block stays until a resolution lifts it
   * (POST /v1/alerts/{id}/resolve). A ledger entry, as a resolution is.
   */
  async keepBlocked(ctx: RequestContext, id: string, reason: KeepBlockedReason): Promise<AlertDetailRow> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'alerts' });
    const subject = await gate.oversight.alertSubject(id);
    if (!subject) throw new TracevaultError('ERR_NOT_FOUND');
    if (subject === ctx.principal.id) {
      await gate.refuse(
        { ...entryOf(ctx), action: 'alert.resolve', outcome: 'denied', detail: { alert: id } },
        new TracevaultError('ERR_FORBIDDEN', { rule: 'ownAlert' }),
      );
    }
    await gate.commit(async (tx, events) => {
      await this.#repo.keepBlocked(tx, id, ctx.principal.id, gate.now().toISOString());
      events.push({
        ...entryOf(ctx),
        action: 'alert.resolve',
        outcome: 'ok',
        detail: { alert: id, principal: subject, resolution: 'kept_blocked', reason },
      });
    });
    return (await this.#repo.alert(id))!;
  }
}
