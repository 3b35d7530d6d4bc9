/**
 * "Report a suspicious call" (issue 21 part 4, ADR 0017). A guardian tells when a call came, the
 * number if it showed, who the caller claimed to be, which of the child's fields the caller knew
 * (reports-fields.ts, the registry's names) and what was said. Each report is:
 *
 * - stored, one row per child it is about (the guardian's own children only: another id is "not
 *   found", as one that does not exist), the free text and the number sealed (the vault's cipher suite, the
 *   report's id bound in), the claim and the number also as keyed references (HMAC) so reports can
 *   be clustered without being opened;
 * - a ledger entry per child (`call.report`: the record's keyed reference, the field names, the
 *   report's id — never the text or the number);
 * - limited: 10 reports a day per guardian, 30 an hour per address;
 * - a complaint row for a trace (reports-complaints.ts): investigators trace the reports of a period
 *   as a complaint set (`POST /v1/traces {reports: {from, to}}`, `tracevault trace --reports`), and
 *   see them clustered (`GET /v1/reports`, investigators and DPOs, reports-cluster.ts).
 */
import { TracevaultError } from '../../errors.ts';
import { aad } from '../../crypto/aead.ts';
import { newTimeOrderedId } from '../../crypto/ids.ts';
import type { FieldValue } from '../../schema/field-kind.ts';
import type { StoredRecord } from '../../store/registry.ts';
import { GuardianRepo } from '../../store/repos/guardians.ts';
import { ReportRepo, type ReportRow } from '../../store/repos/reports.ts';
import type { LeakTable } from '../../trace/leak-table.ts';
import { entryOf, type RequestContext } from '../context.ts';
import type { Gate } from '../gate.ts';
import { guardianEntry, liveChild, ownChild, type GuardianContext } from './guardian-context.ts';
import { RateLimiter } from './rate-limit.ts';
import { clusterReports, maskCaller, normaliseCaller, normaliseClaim, type ReportCluster } from './reports-cluster.ts';
import { complaintTable } from './reports-complaints.ts';
import { COMPARED_FIELDS, type ReportField } from './reports-fields.ts';

export interface NewReport {
  /** When the call came (ISO 8601). */
  readonly at: string;
  readonly callerNumber?: string;
  readonly claimedToBe: string;
  readonly knew: readonly ReportField[];
  readonly quote?: string;
  /** The child it is about; default every child the guardian enrolled for. */
  readonly childId?: string;
}

/** What a report keeps sealed. */
interface ReportSecret {
  readonly claimedToBe: string;
  readonly callerNumber?: string;
  readonly quote?: string;
}

export interface ReportPeriod {
  readonly from: string;
  readonly to: string;
}

const REPORT_AAD = 'tracevault-call-report';
const DAY = 86_400_000;
/** Reports a guardian may make in a day, and an address in an hour. */
export const REPORTS_PER_DAY = 10;
const REPORTS_PER_ADDRESS_HOUR = 30;
/** How far back a call may be reported, and how far a clock may run ahead. */
const OLDEST_DAYS = 366;
const SKEW_MS = 5 * 60_000;

export class Reports {
  readonly #gate: Gate;
  readonly #repo: ReportRepo;
  readonly #guardians: GuardianRepo;
  readonly #byAddress = new RateLimiter({ limit: REPORTS_PER_ADDRESS_HOUR, windowMs: 3_600_000 });
  #sealKey: Buffer | undefined;

  constructor(gate: Gate) {
    this.#gate = gate;
    this.#repo = new ReportRepo(gate.vault.db, gate.vault.tenantId);
    this.#guardians = new GuardianRepo(gate.vault.db, gate.vault.tenantId);
  }

  async submit(g: GuardianContext, ip: string, input: NewReport): Promise<{ id: string }> {
    const gate = this.#gate;
    const now = gate.now();
    const calledMs = Date.parse(beijingByDefault(input.at));
    if (Number.isNaN(calledMs)) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'at', rule: 'dateTime' });
    if (calledMs > now.getTime() + SKEW_MS || calledMs < now.getTime() - OLDEST_DAYS * DAY)
      throw new TracevaultError('ERR_INVALID_FIELD', { field: 'at', rule: 'range' });
    const all = await this.#guardians.children(g.guardian.id);
    const one = input.childId === undefined ? undefined : ownChild(all, input.childId);
    // Another family's id answers as an id that does not exist; an own child erased, ERR_ERASED.
    if (input.childId !== undefined && !one) throw new TracevaultError('ERR_NOT_FOUND');
    const children = all.filter((c) => c.erasedAt === null);
    const about = one ? [liveChild(one)] : children;
    if (about.length === 0) throw new TracevaultError(all.length > 0 ? 'ERR_ERASED' : 'ERR_NOT_FOUND');
    if (!this.#byAddress.take(ip, now.getTime())) throw new TracevaultError('ERR_RATE_LIMITED');
    const since = new Date(now.getTime() - DAY).toISOString();
    if ((await this.#repo.countSince(g.guardian.id, since)) >= REPORTS_PER_DAY)
      throw new TracevaultError('ERR_RATE_LIMITED');

    const id = newTimeOrderedId('rp', now.getTime());
    const knew = [...new Set(input.knew)].sort();
    const digits = input.callerNumber === undefined ? '' : normaliseCaller(input.callerNumber);
    const secret: ReportSecret = {
      claimedToBe: input.claimedToBe,
      ...(digits && { callerNumber: digits }),
      ...(input.quote !== undefined && input.quote !== '' && { quote: input.quote }),
    };
    const keys = gate.vault.keys;
    const claimRef = keys.keyedId('portal-report-claim', normaliseClaim(input.claimedToBe));
    const callerRef = digits ? keys.keyedId('portal-report-caller', digits) : null;
    const sealed = this.#gate.vault.keys.suite.sealJson(this.#key(), secret, aad(REPORT_AAD, id));
    const calledAt = new Date(calledMs).toISOString();
    await gate.commit(async (tx, events) => {
      for (const c of about) {
        await this.#repo.insert(tx, {
          id,
          guardianId: g.guardian.id,
          recordSeq: c.recordSeq,
          calledAt,
          at: now.toISOString(),
          knew,
          claimRef,
          callerRef,
          sealed,
        });
        events.push({
          ...guardianEntry(g),
          action: 'call.report',
          outcome: 'ok',
          recordRef: gate.ref(c.recordId),
          fields: knew,
          detail: { report: id, number: digits !== '', quote: secret.quote !== undefined },
        });
      }
    });
    return { id };
  }

  /** The reports of calls in a period, clustered (investigators and DPOs); a ledger entry. */
  async clusters(
    ctx: RequestContext,
    period: ReportPeriod,
  ): Promise<{ from: string; to: string; reports: number; clusters: ReportCluster[] }> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'investigate', { type: 'Api', area: 'reports' });
    const { from, to } = checkPeriod(period);
    const rows = await this.#repo.between(from, to);
    const clusters = clusterReports(
      rows.map((r) => {
        const s = this.#open(r);
        return {
          id: r.id,
          recordId: r.recordId,
          calledAt: r.calledAt,
          knew: r.knew,
          claimRef: r.claimRef.toString('hex'),
          callerRef: r.callerRef ? r.callerRef.toString('hex').slice(0, 16) : null,
          claimedToBe: s.claimedToBe,
          callerMasked: s.callerNumber ? maskCaller(s.callerNumber) : null,
        };
      }),
    );
    const reports = new Set(rows.map((r) => r.id)).size;
    await gate.commit(async (_tx, events) => {
      events.push({ ...entryOf(ctx), action: 'read', outcome: 'ok', detail: { reports, clusters: clusters.length } });
    });
    return { from, to, reports, clusters };
  }

  /**
   * The reports of calls in a period as a complaint set, to trace (investigators only: the caller
   * authorises `trace` before the table exists; its values never leave the trace).
   */
  async complaintSet(ctx: RequestContext, period: ReportPeriod, how: { keyHolder?: boolean } = {}): Promise<LeakTable> {
    const gate = this.#gate;
    if (!how.keyHolder) await gate.authorise(ctx, 'trace', { type: 'Api', area: 'traces' });
    const { from, to } = checkPeriod(period);
    const rows = await this.#repo.between(from, to);
    if (rows.length === 0) throw new TracevaultError('ERR_NOT_FOUND', { field: 'reports', rule: 'noReports' });
    const fields = new Set(rows.flatMap((r) => r.knew.filter((f) => COMPARED_FIELDS.has(f))));
    const seqs = [...new Set(rows.map((r) => r.recordSeq))];
    const held = new Map<number, StoredRecord>();
    for (const rec of await gate.vault.registry.histories(seqs, gate.vault.db, fields)) held.set(rec.seq, rec);
    return complaintTable(
      rows.flatMap((r) => {
        const rec = held.get(r.recordSeq);
        return rec ? [{ calledAt: r.calledAt, knew: r.knew, values: valuesAt(rec, r.calledAt) }] : [];
      }),
    );
  }

  #open(r: ReportRow): ReportSecret {
    return this.#gate.vault.keys.suite.openJson<ReportSecret>(this.#key(), r.sealed, aad(REPORT_AAD, r.id));
  }

  #key(): Buffer {
    return (this.#sealKey ??= this.#gate.vault.keys.keyedId('portal-report-seal', 'v1'));
  }
}

/** A period's bounds as ISO instants; `to` after `from`, at most 366 days. */
export function checkPeriod(p: ReportPeriod): ReportPeriod {
  const [a, b] = [Date.parse(beijingByDefault(p.from)), Date.parse(beijingByDefault(p.to))];
  if (Number.isNaN(a)) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'from', rule: 'dateTime' });
  if (Number.isNaN(b)) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'to', rule: 'dateTime' });
  if (b <= a || b - a > OLDEST_DAYS * DAY)
    throw new TracevaultError('ERR_INVALID_FIELD', { field: 'to', rule: 'range' });
  return { from: new Date(a).toISOString(), to: new Date(b).toISOString() };
}

/** A date-time as people write it in China: without an offset, Beijing time (+08:00, ADR 0004). */
export function beijingByDefault(at: string): string {
  const t = at.trim();
  return /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(t) ? `${t}+08:00` : t;
}

/** The record's values as they were when the call came: the version valid then, else the current one. */
function valuesAt(rec: StoredRecord, at: string): Map<string, FieldValue> {
  const t = Date.parse(at);
  const out = new Map<string, FieldValue>();
  for (const [f, v] of rec.current) out.set(f, v.value);
  for (const v of rec.history ?? []) {
    const from = Date.parse(v.validFrom);
    const to = v.validTo === null ? Infinity : Date.parse(v.validTo);
    if (from <= t && t < to) out.set(v.field, v.value);
  }
  return out;
}
