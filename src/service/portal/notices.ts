/**
 * Breach notices (PIPL art. 57): when an investigator or a DPO confirms a trace (`POST
 * /v1/traces/{id}/confirm`), the families its leak exposed are told, in the parents' portal and by
 * SMS.
 *
 * - Confirming opens the sealed report (trace/report.ts) and keeps of it what art. 57 asks the
 *   families be told: the categories of information (the leak's field names), when (the window the
 *   copy was taken in), the likely cause (the kind of source: an approved export, a partner, an
 *   insider's account, not yet known — never who), what the registry did (the confirmer's measures,
 *   from a fixed list: no free text reaches a family) and what the family can do (fixed steps). The
 *   records are the report's `affected.direct`, those seen in the leak. One notice per trace; the
 *   accused principal cannot confirm its own trace. A `trace.confirm` entry and one `notice.issue`
 *   entry per record (so the notice shows in that child's history).
 * - Each enrolled guardian of those records gets one SMS (notices-message.ts), whatever the number
 *   of its children in the leak; one who enrols later finds the notice in the portal, which reaches
 *   notices through the guardian's own children only (store/repos/notices.ts).
 */
import { TracevaultError } from '../../errors.ts';
import { newId } from '../../crypto/ids.ts';
import { NoticeRepo, type GuardianNoticeRow } from '../../store/repos/notices.ts';
import type { TraceReport } from '../../trace/report.ts';
import { entryOf, type RequestContext } from '../context.ts';
import type { Gate } from '../gate.ts';
import { guardianEntry, type GuardianContext } from './guardian-context.ts';
import type { MessageDispatcher } from './message-gateway.ts';
import { noticeMessage, NOTICE_TEMPLATE } from './notices-message.ts';
import type { PortalKeys } from './portal-keys.ts';

/** What the registry did, as the confirmer declares it (shown to families in their words). */
export const REGISTRY_ACTIONS = [
  'source_account_suspended',
  'partner_access_revoked',
  'exports_reviewed',
  'regulator_informed',
  'police_informed',
] as const;
export type RegistryAction = (typeof REGISTRY_ACTIONS)[number];

/** The likely source, by kind: from the accused disclosure of the report. */
export const SOURCE_KINDS = ['export', 'partner', 'insider_account', 'unknown'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** What a family can do, always (the page says each in plain words). */
export const FAMILY_STEPS = [
  'distrust_callers_who_know_details',
  'verify_caller_in_portal',
  'never_share_codes',
  'report_suspicious_calls',
  'check_access_history',
] as const;

export interface ConfirmedTrace {
  readonly noticeId: string;
  readonly traceId: string;
  readonly confirmedAt: string;
  readonly sourceKind: SourceKind;
  readonly fields: readonly string[];
  readonly window: { readonly from: string | null; readonly to: string | null };
  readonly actions: readonly RegistryAction[];
  /** Records (families) the notice reaches, and guardians enrolled for them now (each sent one SMS). */
  readonly records: number;
  readonly guardians: number;
}

/** A notice as a guardian reads it. */
export interface BreachNotice {
  readonly id: string;
  /** The guardian's own children the leak exposed. */
  readonly childIds: readonly string[];
  readonly confirmedAt: string;
  readonly fields: readonly string[];
  readonly window: { readonly from: string | null; readonly to: string | null };
  readonly sourceKind: SourceKind;
  readonly actions: readonly RegistryAction[];
  readonly steps: readonly (typeof FAMILY_STEPS)[number][];
}

/** A trace's report as sealed (Traces.storedReport), or none. */
export type TraceReportOf = (traceId: string) => Promise<TraceReport | undefined>;

/** Trace ids as the registry makes them (crypto/ids.ts newId('t')). */
const TRACE_ID = /^t_[A-Za-z0-9_-]{1,60}$/;

export class Notices {
  readonly #gate: Gate;
  readonly #keys: PortalKeys;
  readonly #messages: MessageDispatcher;
  readonly #repo: NoticeRepo;
  readonly #traceReport: TraceReportOf;

  constructor(gate: Gate, keys: PortalKeys, messages: MessageDispatcher, traceReport: TraceReportOf) {
    const { db, tenantId } = gate.vault;
    this.#gate = gate;
    this.#keys = keys;
    this.#messages = messages;
    this.#repo = new NoticeRepo(db, tenantId);
    this.#traceReport = traceReport;
  }

  /** Confirms a trace's leak: its notice, for the families it exposed, and their SMS. */
  async confirm(
    ctx: RequestContext,
    traceId: string,
    input: { actions?: readonly RegistryAction[] } = {},
  ): Promise<ConfirmedTrace> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'investigate', { type: 'Api', area: 'traces' });
    const report = TRACE_ID.test(traceId) ? await this.#traceReport(traceId) : undefined;
    // A trace id enters the ledger only once it names a report.
    const base = { ...entryOf(ctx), action: 'trace.confirm' } as const;
    if (!report) return gate.refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_NOT_FOUND'));
    const denied = { ...base, outcome: 'denied', detail: { trace: traceId } } as const;
    if (report.accused?.principalId === ctx.principal.id)
      await gate.refuse(denied, new TracevaultError('ERR_SELF_APPROVAL'));
    if (await this.#repo.ofTrace(traceId))
      await gate.refuse(denied, new TracevaultError('ERR_CONFLICT', { rule: 'alreadyConfirmed' }));
    const sourceKind = await this.#sourceKind(report);
    const actions = [...new Set(input.actions ?? [])].sort(
      (a, b) => REGISTRY_ACTIONS.indexOf(a) - REGISTRY_ACTIONS.indexOf(b),
    );
    const id = newId('n');
    const at = gate.now().toISOString();
    const fields = [...new Set(report.fields)];
    const window = { from: report.window.from, to: report.window.to };
    const { records, guardians } = await gate.commit(async (tx, events) => {
      const linked = await this.#repo.insert(
        tx,
        {
          id,
          traceId,
          confirmedBy: ctx.principal.id,
          confirmedAt: at,
          fields,
          windowFrom: window.from,
          windowTo: window.to,
          sourceKind,
          actions,
        },
        report.affected.direct,
      );
      const guardians = await this.#repo.guardiansOf(
        tx,
        linked.map((r) => r.seq),
      );
      events.push({
        ...base,
        outcome: 'ok',
        detail: { trace: traceId, notice: id, records: linked.length, guardians: guardians.length, sourceKind },
      });
      for (const r of linked)
        events.push({
          ...base,
          action: 'notice.issue',
          recordRef: gate.ref(r.id),
          outcome: 'ok',
          detail: { notice: id },
        });
      return { records: linked.length, guardians };
    });
    // Sent once committed, off the request path (message-gateway.ts); a number that cannot be opened is
    // reported as an unsent message, never answered.
    const now = gate.now();
    for (const g of guardians) {
      try {
        this.#messages.dispatch(noticeMessage(this.#keys.openPhone(g.id, g.phoneSealed)), now);
      } catch (e) {
        this.#messages.reportUnsent('sms', NOTICE_TEMPLATE, e);
      }
    }
    return {
      noticeId: id,
      traceId,
      confirmedAt: at,
      sourceKind,
      fields,
      window,
      actions,
      records,
      guardians: guardians.length,
    };
  }

  /** The notices about the guardian's own children, newest first. A ledger entry (`notice.list`). */
  async forGuardian(g: GuardianContext): Promise<BreachNotice[]> {
    const rows = await this.#repo.forGuardian(g.guardian.id);
    await this.#gate.commit(async (_tx, events) => {
      events.push({ ...guardianEntry(g), action: 'notice.list', outcome: 'ok', detail: { notices: rows.length } });
    });
    return rows.map(shown);
  }

  /** The kind of the accused source: an export's file, a partner, a staff account's reads; else unknown. */
  async #sourceKind(report: TraceReport): Promise<SourceKind> {
    const accused = report.accused;
    if (!accused) return 'unknown';
    const d = accused.disclosureId ? await this.#repo.disclosureKind(accused.disclosureId) : undefined;
    const orgKind = d?.orgKind ?? (await this.#repo.principalOrgKind(accused.principalId));
    if (orgKind === 'partner') return 'partner';
    if (d?.exportId) return 'export';
    return 'insider_account';
  }
}

function shown(r: GuardianNoticeRow): BreachNotice {
  return {
    id: r.id,
    childIds: r.childIds,
    confirmedAt: r.confirmedAt,
    fields: r.fields,
    window: { from: r.windowFrom, to: r.windowTo },
    sourceKind: (SOURCE_KINDS as readonly string[]).includes(r.sourceKind) ? (r.sourceKind as SourceKind) : 'unknown',
    actions: r.actions.filter((a): a is RegistryAction => (REGISTRY_ACTIONS as readonly string[]).includes(a)),
    steps: [...FAMILY_STEPS],
  };
}
