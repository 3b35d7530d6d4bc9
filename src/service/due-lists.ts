/**
 * A vaccination clinic's due list (issue 22, ADR 0022): the children living in the districts the
 * clinic serves (its region and its nurses' `district` relationships, gate.ts districtsOf) whose
 * next dose on the national schedule falls in a window of local dates.
 *
 * Listed masked (`GET /v1/due-list`), one ledger entry covering the children listed. In clear only
 * as a file of a standing export: requested by the nurse for a period, approved once by a
 * data-protection officer who is not the requester (service/exports.ts decide), then run within the
 * period as often as the clinic needs; each run is a disclosure of its own, its rows marked for it
 * and canaries among them, exactly as an export file (service/exports.ts file), and a row of
 * `export_runs`. There is no clear list without an approval: the guard watches reads one by one,
 * and a list of a district's phones is a bulk disclosure, which a DPO decides.
 */
import { TracevaultError } from '../errors.ts';
import type { FieldValue, Vaccination } from '../schema/field-kind.ts';
import { parseDate } from '../schema/date-time.ts';
import { localDate } from '../schema/local-date.ts';
import { BIRTH } from '../schema/record-type.ts';
import { vaccineZh } from '../schema/vaccines.ts';
import { newId } from '../crypto/ids.ts';
import { renderRecord } from '../disclose/render.ts';
import { newDisclosureId, type DisclosedItem } from '../disclose/disclosure.ts';
import { markRow, SCHEME } from '../disclose/marks.ts';
import { interleave, storeCanaries } from '../disclose/canary.ts';
import { EXPORT_FORMATS, writeExport, type ExportFormat } from '../disclose/export-writer.ts';
import type { StoredRecord } from '../store/registry.ts';
import { ExportRepo, type ExportRun } from '../store/repos/exports.ts';
import { RecordLists } from '../store/repos/record-lists.ts';
import { restrictedRecords } from '../store/repos/requests.ts';
import { entryOf, type RequestContext } from './context.ts';
import { commitRead } from './disclosures.ts';
import { addDoseGiven, type DoseGiven } from './doses.ts';
import {
  DUE_COLUMNS,
  DUE_FIELDS,
  dueDoses,
  fileRow,
  type DueDose,
  type DueDoses,
  type DueWindow,
} from './due-list-rows.ts';
import { ExportCanaries } from './export-canaries.ts';
import { endOfLocalDay, type ExportInfo, type Exports } from './exports.ts';
import { sha256, type Gate, type Standing } from './gate.ts';
import type { ServiceKeys } from './keys.ts';

export type { DueWindow, DueDose } from './due-list-rows.ts';

/** The purpose of every due list (access/purposes.ts: the Vaccine Administration Law art. 47). */
export const DUE_LIST_PURPOSE = 'vaccination';
/** The longest window a list covers, in days. */
export const MAX_WINDOW_DAYS = 92;
/** The longest period a standing export is approved for, in days. */
export const MAX_PERIOD_DAYS = 366;
const PAGE = 2000;
const DAY = 86_400_000;
/** How many masked selections are kept, and for how long (ms). */
const CACHE_ENTRIES = 16;
const CACHE_MS = 60_000;

export interface DueListQuery extends DueWindow {
  readonly limit?: number;
  readonly offset?: number;
}

export interface DueListEntry {
  /** The record's id (to record a dose given: PATCH /v1/records/{id}). */
  readonly id: string;
  /** Masked (张*明, 138****5678), or absent when the policy hides them. */
  readonly babyName?: string;
  readonly motherName?: string;
  readonly motherPhone?: string;
  readonly birthDate?: string;
  readonly due: DueDose[];
  readonly overdue: DueDose[];
  /** The doses given, their dates masked to the month. */
  readonly given: { vaccine: string; name: string; dose: number; date: string }[];
}

export interface DueListPage {
  readonly purpose: string;
  readonly from: string;
  readonly to: string;
  /** Children on the list in all (the page holds `rows`). */
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly rows: DueListEntry[];
}

export interface StandingDueListRequest {
  readonly format: string;
  /** The period the approval holds, local dates, inclusive. */
  readonly validFrom: string;
  readonly validTo: string;
  readonly justification?: string;
}

export interface DueListRun {
  readonly format: ExportFormat;
  readonly body: Buffer;
  readonly records: number;
  readonly disclosureId: string;
  readonly window: DueWindow;
}

interface Listed {
  readonly rec: StoredRecord;
  readonly standing: Standing;
  readonly doses: DueDoses;
}

/** A local date (YYYY-MM-DD), or ERR_INVALID_FIELD naming the field. */
function dateParam(value: string | undefined, field: string): string {
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseDate(value) : undefined;
  if (!d?.ok) throw new TracevaultError('ERR_INVALID_FIELD', { field, rule: 'date' });
  return d.value;
}

function days(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY) + 1;
}

/** A window of local dates: from <= to, at most `max` days long. */
export function checkWindow(from: string | undefined, to: string | undefined, max = MAX_WINDOW_DAYS): DueWindow {
  const w = { from: dateParam(from, 'from'), to: dateParam(to, 'to') };
  if (w.to < w.from) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'to', rule: 'beforeFrom' });
  if (days(w.from, w.to) > max) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'to', rule: 'windowTooLong' });
  return w;
}

export class DueLists {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #exports: Exports;
  readonly #repo: ExportRepo;
  readonly #records: RecordLists;
  readonly #canaries: ExportCanaries;
  /** Recent masked selections (#selectCached), by principal, window and what they depend on. */
  readonly #cache = new Map<string, { listed: Listed[]; until: number }>();

  constructor(gate: Gate, keys: ServiceKeys, exports: Exports, canaryDensity?: number) {
    this.#gate = gate;
    this.#keys = keys;
    this.#exports = exports;
    this.#repo = new ExportRepo(gate.vault.db, gate.vault.tenantId);
    this.#records = new RecordLists(gate.vault.db, gate.vault.tenantId);
    this.#canaries = new ExportCanaries(gate, keys, canaryDensity);
  }

  /** The due list of the caller's districts for a window, masked, a page at a time; one ledger entry. */
  async list(ctx: RequestContext, q: DueListQuery): Promise<DueListPage> {
    const gate = this.#gate;
    const base = { ...entryOf(ctx), action: 'due_list', purpose: DUE_LIST_PURPOSE } as const;
    const window = checkWindow(q.from, q.to);
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 100)), 500);
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const policy = await this.#authorise(ctx, base);
    const listed = await this.#selectCached(ctx, window, policy.version);
    const page = listed.slice(offset, offset + limit);
    const rows = page.map(({ rec, standing, doses }): DueListEntry => {
      const views = policy.fieldViews(ctx.principal, BIRTH, standing);
      const shown = renderRecord(BIRTH, rec.seq, rec.current, views, new Set()).fields;
      const text = (f: string) => {
        const value = shown[f];
        return typeof value === 'string' ? value : undefined;
      };
      const given: readonly Vaccination[] = Array.isArray(shown.vaccinations) ? shown.vaccinations : [];
      return {
        id: rec.id,
        ...(text('babyName') !== undefined && { babyName: text('babyName') }),
        ...(text('motherName') !== undefined && { motherName: text('motherName') }),
        ...(text('motherPhone') !== undefined && { motherPhone: text('motherPhone') }),
        // The date a masked birth time shows (schema/mask.ts), unless the policy hides the field.
        ...(shown.birthTime !== undefined && { birthDate: doses.birthDate }),
        due: doses.due,
        overdue: doses.overdue,
        given: given.map((g) => ({ vaccine: g.vaccine, name: vaccineZh(g.vaccine), dose: g.dose, date: g.date })),
      };
    });
    await gate.commit(async (_tx, events) => {
      events.push({
        ...base,
        decision: `allow@${policy.version}`,
        outcome: 'ok',
        detail: { from: window.from, to: window.to, total: listed.length, rows: rows.length, offset },
        // The families' access history shows the listing (never written into the entry).
        covers: page.map((l) => gate.ref(l.rec.id)),
      });
    });
    return { purpose: DUE_LIST_PURPOSE, ...window, total: listed.length, offset, limit, rows };
  }

  /**
   * A standing export of the due list, asked for by a nurse for a period; it waits for a DPO's approval
   * (POST /v1/exports/{id}/approve), which holds until the period's last day ends.
   */
  async requestStanding(ctx: RequestContext, req: StandingDueListRequest): Promise<ExportInfo> {
    const gate = this.#gate;
    const base = { ...entryOf(ctx), action: 'export.request', purpose: DUE_LIST_PURPOSE } as const;
    if (!EXPORT_FORMATS.includes(req.format as ExportFormat)) {
      throw new TracevaultError('ERR_UNSUPPORTED_FORMAT', { field: 'format' });
    }
    const period = {
      validFrom: dateParam(req.validFrom, 'validFrom'),
      validTo: dateParam(req.validTo, 'validTo'),
    };
    if (period.validTo < period.validFrom) {
      throw new TracevaultError('ERR_INVALID_FIELD', { field: 'validTo', rule: 'beforeFrom' });
    }
    if (days(period.validFrom, period.validTo) > MAX_PERIOD_DAYS) {
      throw new TracevaultError('ERR_INVALID_FIELD', { field: 'validTo', rule: 'periodTooLong' });
    }
    // A period already over is refused: nothing could ever be run in it.
    if (endOfLocalDay(period.validTo) <= gate.now().toISOString()) {
      throw new TracevaultError('ERR_EXPIRED', { field: 'validTo' });
    }
    const policy = await this.#authorise(ctx, base);
    const id = newId('x');
    const justificationSealed = req.justification?.trim()
      ? this.#keys.sealJustification(ctx.principal.id, req.justification)
      : undefined;
    await gate.commit(async (tx, events) => {
      await this.#repo.insert(tx, {
        id,
        requestedBy: ctx.principal.id,
        requestedAt: gate.now().toISOString(),
        purpose: DUE_LIST_PURPOSE,
        filter: { recordType: BIRTH.name },
        fields: [...DUE_FIELDS],
        format: req.format,
        canaryAware: false,
        justificationSealed,
        kind: 'due_list',
        ...period,
      });
      events.push({
        ...base,
        fields: [...DUE_FIELDS],
        decision: `allow@${policy.version}`,
        outcome: 'ok',
        detail: { export: id, kind: 'due_list', format: req.format, ...period },
      });
    });
    return this.#exports.get(ctx, id);
  }

  /**
   * One run of an approved standing due list, by its requester within the period: the file of the
   * children due in `window` (default: today and the 30 days after), recorded as a disclosure of its
   * own, fingerprinted and with canaries, before it is returned.
   */
  async run(ctx: RequestContext, exportId: string, w?: Partial<DueWindow>): Promise<DueListRun> {
    const gate = this.#gate;
    const info = await this.#exports.row(exportId);
    const base = { ...entryOf(ctx), action: 'export', purpose: info.purpose } as const;
    const refuse = (error: TracevaultError) =>
      gate.refuse({ ...base, outcome: 'denied', detail: { export: exportId } }, error);
    if (info.requestedBy !== ctx.principal.id || info.kind !== 'due_list') {
      await refuse(new TracevaultError('ERR_NOT_FOUND'));
    }
    if (info.status !== 'approved') await refuse(new TracevaultError('ERR_APPROVAL_REQUIRED'));
    const now = gate.now();
    if (info.expiresAt! <= now.toISOString()) await refuse(new TracevaultError('ERR_EXPIRED'));
    if (localDate(now) < info.validFrom!) await refuse(new TracevaultError('ERR_CONFLICT', { rule: 'notYetValid' }));
    if (gate.guard.isBlocked(ctx.principal.id)) {
      await gate.refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    }
    const today = localDate(now);
    const window = checkWindow(
      w?.from ?? today,
      w?.to ?? localDate(Date.parse(`${w?.from ?? today}T00:00:00+08:00`) + 30 * DAY),
    );
    const policy = await this.#authorise(ctx, base);
    const listed = await this.#select(ctx, window, true);
    const rows: Record<string, FieldValue>[] = [];
    const seqs: number[] = [];
    const items: DisclosedItem[] = [];
    const covers: string[] = [];
    const dosesOf = new Map<Record<string, FieldValue>, DueDoses>();
    for (const { rec, standing, doses } of listed) {
      const views = policy.fieldViews(ctx.principal, BIRTH, standing);
      const row: Record<string, FieldValue> = {};
      for (const field of DUE_FIELDS) {
        const v = rec.current.get(field);
        // A field the policy does not let this nurse reveal stays out of the file.
        if (!v || !views.get(field)?.reveal) continue;
        row[field] = v.value;
        items.push({ recordSeq: rec.seq, field, version: v.version });
      }
      rows.push(row);
      dosesOf.set(row, doses);
      seqs.push(rec.seq);
      covers.push(gate.ref(rec.id));
    }
    // As an export file (service/exports.ts): the run's own key marks its rows and mints its canaries.
    const disclosureId = newDisclosureId();
    const markKey = this.#keys.exportMarks(disclosureId);
    const canaries = await this.#canaries.forFile(ctx.principal.id, info, BIRTH, rows, seqs, markKey);
    const file = interleave(
      rows,
      canaries.map((c) => c.row),
      markKey,
      this.#keys.suite.macHash,
    ).map((r) => fileRow(markRow(BIRTH, r, this.#keys.code, markKey), dosesOf.get(r) ?? canaryDoses(r, window)));
    markKey.fill(0);
    const body = await writeExport(info.format, DUE_COLUMNS, file);
    const at = gate.now().toISOString();
    const digest = sha256(body);
    await commitRead(gate, this.#keys, ctx, {
      event: {
        ...base,
        fields: [...DUE_FIELDS],
        decision: `allow@${policy.version}`,
        outcome: 'ok',
        detail: { export: exportId, run: true, from: window.from, to: window.to, records: file.length, sha256: digest },
        covers,
      },
      purpose: info.purpose,
      items,
      channel: 'export',
      exportId,
      always: true,
      disclosureId,
      fingerprint: SCHEME,
      // The canaries, the run and the download count commit with the disclosure and its ledger entry.
      extra: async (tx) => {
        await storeCanaries(tx, gate.vault.tenantId, disclosureId, canaries, this.#keys.canary, at);
        await this.#repo.countDownload(tx, exportId);
        await this.#repo.insertRun(tx, exportId, {
          disclosureId,
          at,
          ...window,
          records: file.length,
          sha256: digest,
        });
      },
    });
    return { format: info.format, body, records: file.length, disclosureId, window };
  }

  /** A dose given, added to a record's vaccinations (doses.ts): what takes a child off the next list. */
  async recordDose(ctx: RequestContext, recordId: string, dose: DoseGiven): Promise<{ changed: string[] }> {
    return addDoseGiven(this.#gate, ctx, recordId, dose);
  }

  /** The runs of a standing due list (its requester, or a DPO, as for the export itself). */
  async runs(ctx: RequestContext, exportId: string): Promise<ExportRun[]> {
    const info = await this.#exports.get(ctx, exportId);
    if (info.kind !== 'due_list') throw new TracevaultError('ERR_NOT_FOUND');
    return this.#repo.runs(exportId);
  }

  /**
   * The policy, once it lets the caller keep a due list at all: a due list of a child in one of its
   * districts for the vaccination purpose, and a district to serve. Refused as a ledger entry.
   */
  async #authorise(ctx: RequestContext, base: Parameters<Gate['refuse']>[0]) {
    const gate = this.#gate;
    if (gate.guard.isBlocked(ctx.principal.id)) {
      await gate.refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    }
    const policy = await gate.policy();
    const possible = policy.allows(
      ctx.principal,
      'due_list',
      { type: 'Record', recordType: BIRTH.name },
      { purpose: DUE_LIST_PURPOSE, inDistrict: true },
    );
    if (!possible || (await gate.districtsOf(ctx.principal)).size === 0) {
      await gate.refuse(
        { ...base, decision: `deny@${policy.version}`, outcome: 'denied' },
        new TracevaultError('ERR_FORBIDDEN', { purpose: DUE_LIST_PURPOSE }),
      );
    }
    return policy;
  }

  /**
   * `#select` for a masked list, kept while nothing it depends on changes (the policy, the caller's
   * districts, the published records and their changes) and for a minute at most, so that paging
   * through a list opens the tenant's records once, not once a page.
   */
  async #selectCached(ctx: RequestContext, window: DueWindow, policyVersion: number): Promise<Listed[]> {
    const districts = [...(await this.#gate.districtsOf(ctx.principal))].sort().join(',');
    const version = await this.#records.versionKey(BIRTH.name);
    const key = [ctx.principal.id, window.from, window.to, policyVersion, districts, version].join('|');
    const now = Date.now();
    for (const [k, v] of this.#cache) if (v.until <= now) this.#cache.delete(k);
    const hit = this.#cache.get(key);
    if (hit) return hit.listed;
    const listed = await this.#select(ctx, window, false);
    if (this.#cache.size >= CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { listed, until: now + CACHE_MS });
    return listed;
  }

  /**
   * The children of the caller's districts with a dose due in the window, by earliest due date then
   * record order. Every published birth record is opened (its home address is sealed): O(records),
   * see ADR 0022. Poison records never appear (no legitimate workflow reads them); with `clear`,
   * records whose guardians restricted processing are left out, as from an export.
   */
  async #select(ctx: RequestContext, window: DueWindow, clear: boolean): Promise<Listed[]> {
    const gate = this.#gate;
    const policy = await gate.policy();
    const restricted = clear ? await restrictedRecords(gate.vault.db) : new Set<number>();
    const out: Listed[] = [];
    for (let after = 0; ; ) {
      const page = await this.#records.page(BIRTH.name, after, PAGE);
      for (const r of page) {
        if (gate.isPoison(r.id) || restricted.has(r.seq)) continue;
        const rec = await gate.vault.registry.get(r.id);
        const standing = await gate.standing(ctx, rec, DUE_LIST_PURPOSE);
        if (!standing.inDistrict) continue;
        if (!policy.allows(ctx.principal, 'due_list', { type: 'Record', recordType: BIRTH.name }, standing)) continue;
        const values = Object.fromEntries([...rec.current].map(([f, v]) => [f, v.value]));
        const doses = dueDoses(values, window);
        if (doses) out.push({ rec, standing, doses });
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.seq;
    }
    return out.sort((a, b) =>
      a.doses.due[0]!.due < b.doses.due[0]!.due
        ? -1
        : a.doses.due[0]!.due > b.doses.due[0]!.due
          ? 1
          : a.rec.seq - b.rec.seq,
    );
  }
}

/**
 * A canary's doses: as any child's when one falls in the window; else its next dose on or after the
 * window's start (a canary grown to today may be ahead of or behind the window; its row must still
 * read as a due list's row).
 */
function canaryDoses(row: Readonly<Record<string, FieldValue>>, window: DueWindow): DueDoses {
  const found = dueDoses(row, window);
  if (found) return found;
  const wide = dueDoses(row, { from: '0000-01-01', to: '9999-12-31' });
  if (!wide) return { birthDate: '', due: [], overdue: [] };
  const next = wide.due.find((d) => d.due >= window.from) ?? wide.due[wide.due.length - 1]!;
  return { birthDate: wide.birthDate, due: [next], overdue: [] };
}
