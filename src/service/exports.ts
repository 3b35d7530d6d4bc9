/**
 * Bulk exports: requested for a purpose and fields the policy allows, approved by a DPO who is not
 * the requester, downloaded by the requester before they expire. The file is generated at download
 * (no clear file is kept), every row marked for its disclosure, canaries among the rows, and the
 * whole recorded as one disclosure of every field version in it before it is returned. The
 * requester's justification is stored sealed (it is free text that may name a person) and shown to
 * the approver and the requester with the request, never written to the ledger.
 */
import { TracevaultError } from '../errors.ts';
import type { PolicyContext } from '../access/policy.ts';
import { purposeOf } from '../access/purposes.ts';
import type { FieldValue } from '../schema/field-kind.ts';
import { fieldDef, recordType } from '../schema/record-type.ts';
import { newId } from '../crypto/ids.ts';
import { newDisclosureId, type DisclosedItem } from '../disclose/disclosure.ts';
import { markRow, SCHEME } from '../disclose/marks.ts';
import { CANARY_FLAG_COLUMN, interleave, storeCanaries } from '../disclose/canary.ts';
import { EXPORT_FORMATS, writeExport, type ExportFormat } from '../disclose/export-writer.ts';
import { ExportRepo, type ExportFilter, type ExportRow, type StoredExport } from '../store/repos/exports.ts';
import { RecordLists } from '../store/repos/record-lists.ts';
import { restrictedRecords } from '../store/repos/requests.ts';
import { entryOf, type RequestContext } from './context.ts';
import { commitRead } from './disclosures.ts';
import { ExportCanaries } from './export-canaries.ts';
import { sha256, type Gate } from './gate.ts';
import type { ServiceKeys } from './keys.ts';
import { RESTRICTED_PURPOSE } from './requests.ts';

export type { ExportFilter } from '../store/repos/exports.ts';

export interface ExportRequest {
  readonly purpose: string;
  readonly filter?: ExportFilter;
  readonly fields: readonly string[];
  readonly format: string;
  readonly justification?: string;
  /** Adds a column (`CANARY_FLAG_COLUMN`) flagging the canary rows, for recipients who contact families. */
  readonly canaryAware?: boolean;
}

export interface ExportInfo extends ExportRow {
  readonly format: ExportFormat;
  /** The requester's justification, for the approver to weigh (null when none was given). */
  readonly justification: string | null;
}

export interface ExportOptions {
  /** How long an approved export can be downloaded (default 24 hours). */
  readonly exportTtlMs?: number;
  /** Largest export, in records (default 100,000). */
  readonly exportLimit?: number;
  /** Canaries in export files: the share of rows at one other holder per row (disclose/canary.ts). */
  readonly canaryDensity?: number;
}

const EXPORT_TTL_MS = 24 * 3600_000;
const EXPORT_LIMIT = 100_000;

export class Exports {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #opts: ExportOptions;
  readonly #repo: ExportRepo;
  readonly #records: RecordLists;
  readonly #canaries: ExportCanaries;

  constructor(gate: Gate, keys: ServiceKeys, opts: ExportOptions = {}) {
    this.#gate = gate;
    this.#keys = keys;
    this.#opts = opts;
    this.#repo = new ExportRepo(gate.vault.db, gate.vault.tenantId);
    this.#records = new RecordLists(gate.vault.db, gate.vault.tenantId);
    this.#canaries = new ExportCanaries(gate, keys, opts.canaryDensity);
  }

  async request(ctx: RequestContext, req: ExportRequest): Promise<ExportInfo> {
    const gate = this.#gate;
    const base = { ...entryOf(ctx), action: 'export.request' } as const;
    const purpose = purposeOf(req.purpose).name;
    if (!EXPORT_FORMATS.includes(req.format as ExportFormat)) {
      throw new TracevaultError('ERR_UNSUPPORTED_FORMAT', { field: 'format' });
    }
    const type = recordType(req.filter?.recordType ?? 'birth');
    const filter: ExportFilter = {
      ...req.filter,
      recordType: type.name,
      organizationId: req.filter?.organizationId ?? ctx.principal.orgId ?? undefined,
    };
    for (const k of ['collectedFrom', 'collectedTo'] as const) {
      if (filter[k] !== undefined && Number.isNaN(Date.parse(filter[k]))) {
        throw new TracevaultError('ERR_INVALID_FIELD', { field: `filter.${k}`, rule: 'dateTime' });
      }
    }
    if (req.fields.length === 0) throw new TracevaultError('ERR_MISSING_FIELD', { field: 'fields' });
    for (const f of req.fields)
      if (!fieldDef(type, f)) throw new TracevaultError('ERR_UNKNOWN_FIELD', { field: f.slice(0, 64) });
    const policy = await gate.policy();
    const standing: PolicyContext = {
      purpose,
      sameOrg: filter.organizationId === ctx.principal.orgId,
      inCare: false,
      consented: false,
    };
    const mayReveal = (f: string) =>
      policy.allows(
        ctx.principal,
        'reveal',
        { type: 'Field', recordType: type.name, field: fieldDef(type, f)! },
        standing,
      );
    const mayExport = policy.allows(ctx.principal, 'export', { type: 'Record', recordType: type.name }, standing);
    const refused = req.fields.filter((f) => !mayReveal(f));
    if (!mayExport || refused.length > 0) {
      // The refusal says what to change: the fields the purpose does not allow (names only), or
      // (rule `export`) that the purpose allows no export of these records at all.
      await gate.refuse(
        { ...base, purpose, fields: [...req.fields], decision: `deny@${policy.version}`, outcome: 'denied' },
        new TracevaultError('ERR_FORBIDDEN', {
          purpose,
          ...(refused.length > 0 && { fields: refused }),
          ...(!mayExport && { rule: 'export' }),
        }),
      );
    }
    const id = newId('x');
    // Sealed as a disclosure's justification is (service/keys.ts); the ledger entry never holds it.
    const justificationSealed = req.justification?.trim()
      ? this.#keys.sealJustification(ctx.principal.id, req.justification)
      : undefined;
    await gate.commit(async (tx, events) => {
      await this.#repo.insert(tx, {
        id,
        requestedBy: ctx.principal.id,
        requestedAt: gate.now().toISOString(),
        purpose,
        filter,
        fields: [...req.fields],
        format: req.format,
        canaryAware: req.canaryAware === true,
        justificationSealed,
      });
      events.push({
        ...base,
        purpose,
        fields: [...req.fields],
        decision: `allow@${policy.version}`,
        outcome: 'ok',
        detail: { export: id, format: req.format },
      });
    });
    return this.get(ctx, id);
  }

  /** An export request as its requester or a data-protection officer sees it. */
  async get(ctx: RequestContext, id: string): Promise<ExportInfo> {
    const info = await this.#row(id);
    if (info.requestedBy === ctx.principal.id) return info;
    if (!(await this.#gate.allows(ctx, 'approve', { type: 'Api', area: 'exports' }))) {
      throw new TracevaultError('ERR_NOT_FOUND');
    }
    return info;
  }

  /** Approves (or refuses) an export. The approver is never the requester. */
  async decide(ctx: RequestContext, id: string, approve: boolean): Promise<ExportInfo> {
    const gate = this.#gate;
    const base = { ...entryOf(ctx), action: approve ? 'approve' : 'export.refuse', detail: { export: id } } as const;
    await gate.authorise(ctx, 'approve', { type: 'Api', area: 'exports' });
    const info = await this.#row(id);
    if (info.requestedBy === ctx.principal.id) {
      await gate.refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_SELF_APPROVAL'));
    }
    if (info.status !== 'pending') throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
    const now = gate.now();
    const ttl = this.#opts.exportTtlMs ?? EXPORT_TTL_MS;
    // A standing export (a due list, ADR 0022) is approved for its period: it expires when the period ends.
    const periodEnd = info.validTo ? endOfLocalDay(info.validTo) : null;
    if (approve && periodEnd !== null && periodEnd <= now.toISOString()) {
      await gate.refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_EXPIRED', { field: 'validTo' }));
    }
    const expiresAt = approve ? (periodEnd ?? new Date(now.getTime() + ttl).toISOString()) : null;
    await gate.commit(async (tx, events) => {
      const status = approve ? 'approved' : 'refused';
      const decided = await this.#repo.decide(tx, {
        id,
        status,
        by: ctx.principal.id,
        at: now.toISOString(),
        expiresAt,
      });
      if (!decided) throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
      events.push({ ...base, purpose: info.purpose, outcome: 'ok' });
    });
    return this.#row(id);
  }

  /** The approved export's file, generated now and recorded as a disclosure before it is returned. */
  async file(
    ctx: RequestContext,
    id: string,
  ): Promise<{ format: ExportFormat; body: Buffer; records: number; disclosureId: string }> {
    const gate = this.#gate;
    const info = await this.#row(id);
    const base = { ...entryOf(ctx), action: 'export', purpose: info.purpose } as const;
    const refuse = (error: TracevaultError) =>
      gate.refuse({ ...base, outcome: 'denied', detail: { export: id } }, error);
    if (info.requestedBy !== ctx.principal.id) await refuse(new TracevaultError('ERR_NOT_FOUND'));
    // A standing due list is run (POST /v1/exports/{id}/runs, service/due-lists.ts), never downloaded here.
    if (info.kind !== 'records') await refuse(new TracevaultError('ERR_CONFLICT', { field: 'kind' }));
    if (info.status !== 'approved') await refuse(new TracevaultError('ERR_APPROVAL_REQUIRED'));
    if (info.expiresAt! <= gate.now().toISOString()) await refuse(new TracevaultError('ERR_EXPIRED'));
    if (gate.guard.isBlocked(ctx.principal.id)) {
      await gate.refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    }
    const type = recordType(info.filter.recordType ?? 'birth');
    const f = info.filter;
    const limit = this.#opts.exportLimit ?? EXPORT_LIMIT;
    const ids = await this.#records.ids(
      {
        recordType: type.name,
        organizationId: f.organizationId,
        collectedFrom: f.collectedFrom ? new Date(f.collectedFrom).toISOString() : undefined,
        collectedTo: f.collectedTo ? new Date(f.collectedTo).toISOString() : undefined,
      },
      limit,
    );
    if (ids.length > limit) throw new TracevaultError('ERR_FILE_TOO_LARGE', { limit });
    const rows: Record<string, FieldValue>[] = [];
    const seqs: number[] = [];
    const items: DisclosedItem[] = [];
    /** The rows' records, for their families' access history (never written into the entry). */
    const covers: string[] = [];
    // Records their guardians restricted leave only for treatment (service/requests.ts).
    const restricted = info.purpose === RESTRICTED_PURPOSE ? new Set<number>() : await restrictedRecords(gate.vault.db);
    for (const rid of ids) {
      // Poison records are never part of a legitimate export.
      if (gate.isPoison(rid)) continue;
      const rec = await gate.vault.registry.get(rid);
      if (restricted.has(rec.seq)) continue;
      const row: Record<string, FieldValue> = {};
      for (const field of info.fields) {
        const v = rec.current.get(field);
        if (!v) continue;
        row[field] = v.value;
        items.push({ recordSeq: rec.seq, field, version: v.version });
      }
      rows.push(row);
      seqs.push(rec.seq);
      covers.push(gate.ref(rid));
    }
    // Every row is marked for this disclosure (disclose/marks.ts): its id comes first.
    const disclosureId = newDisclosureId();
    const markKey = this.#keys.exportMarks(disclosureId);
    const canaries = await this.#canaries.forFile(ctx.principal.id, info, type, rows, seqs, markKey);
    const flagged = new Set<Record<string, FieldValue>>(canaries.map((c) => c.row));
    const file = interleave(
      rows,
      canaries.map((c) => c.row),
      markKey,
      this.#keys.suite.macHash,
    ).map((r) => {
      const marked = markRow(type, r, this.#keys.code, markKey);
      return info.canaryAware ? { ...marked, [CANARY_FLAG_COLUMN]: flagged.has(r) ? '1' : '' } : marked;
    });
    markKey.fill(0);
    const columns = info.canaryAware ? [...info.fields, CANARY_FLAG_COLUMN] : info.fields;
    const body = await writeExport(info.format, columns, file);
    const at = gate.now().toISOString();
    await commitRead(gate, this.#keys, ctx, {
      event: {
        ...base,
        fields: info.fields,
        outcome: 'ok',
        detail: { export: id, records: file.length, sha256: sha256(body) },
        covers,
      },
      purpose: info.purpose,
      items,
      channel: 'export',
      exportId: id,
      always: true,
      disclosureId,
      fingerprint: SCHEME,
      // The canaries and the download count commit with the disclosure and its ledger entry.
      extra: async (tx) => {
        await storeCanaries(tx, gate.vault.tenantId, disclosureId, canaries, this.#keys.canary, at);
        await this.#repo.countDownload(tx, id);
      },
    });
    return { format: info.format, body, records: file.length, disclosureId };
  }

  /** An export request as stored, its justification opened (for the due lists' runs, service/due-lists.ts). */
  async row(id: string): Promise<ExportInfo> {
    return this.#row(id);
  }

  async #row(id: string): Promise<ExportInfo> {
    const row = await this.#repo.get(id);
    if (!row) throw new TracevaultError('ERR_NOT_FOUND');
    const { justificationSealed, ...info } = row satisfies StoredExport;
    const justification = justificationSealed ? this.#keys.openJustification(justificationSealed) : null;
    return { ...info, format: info.format as ExportFormat, justification };
  }
}

/** The instant a local (UTC+8, ADR 0004) calendar day ends, as an ISO string: `2027-01-31` → 2027-01-31T16:00Z. */
export function endOfLocalDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00+08:00`) + 86_400_000).toISOString();
}
