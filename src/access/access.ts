/**
 * Access: one read, end to end (DESIGN.md) — authenticate, guard, policy, store, disclose, ledger —
 * and the other operations on personal data (collect, update, erase, search, exports, aggregates),
 * each authorised by the policy and recorded in the ledger in the same transaction as its effect.
 * The HTTP server (server/) is a thin layer over this class.
 *
 * What a refusal looks like: a record outside the principal's reach is ERR_NOT_FOUND (whether it
 * exists is not disclosed); a reveal without a purpose is ERR_PURPOSE_REQUIRED; a field the policy
 * keeps masked for the purpose is ERR_FORBIDDEN; sensitive fields need a justification; the guard
 * may ask for one or block. Every refusal is itself a ledger entry.
 */
import { TracevaultError } from '../errors.ts';
import { newId, newToken, tokenHash } from '../crypto/ids.ts';
import { aad, open, seal } from '../crypto/aead.ts';
import { createHash } from 'node:crypto';
import { DEFAULT_POLICY } from './default-policy.ts';
import { PolicyEngine, type Action, type PolicyContext, type Resource } from './policy.ts';
import { purposeOf } from './purposes.ts';
import { DEFAULT_GUARD, Guard, type GuardAlert, type GuardConfig } from './guard.ts';
import { verifyPassword } from './password.ts';
import { clearHistory, newDisclosureId, recordDisclosure, type DisclosedItem } from '../disclose/disclosure.ts';
import { renderRecord } from '../disclose/render.ts';
import { API_MARKED_KINDS, DISCLOSURE_KEY_LABEL, markRow, PRINCIPAL_SCHEME, REVEAL_KEY_LABEL, SCHEME } from '../disclose/marks.ts';
import { TardosCode } from '../disclose/tardos.ts';
import { CANARY_FLAG_COLUMN, canaryPlan, DEFAULT_DENSITY, findCanaries, growCanary, interleave, mintCanaries, openCanary, openCanaryRow, openText, quotesCanary, sealText, storeCanaries, type CanaryHit, type CanaryKeys, type MintedCanary } from '../disclose/canary.ts';
import { KINDS } from '../schema/field-kind.ts';
import { EXPORT_FORMATS, writeExport, type ExportFormat } from '../disclose/export-writer.ts';
import { splitAddress } from '../schema/address.ts';
import type { FieldValue, IndexScope } from '../schema/field-kind.ts';
import { fieldDef, recordType, validateRecord, type RecordType } from '../schema/record-type.ts';
import type { StoredRecord } from '../store/registry.ts';
import type { AuditEvent } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import type { CareRelationship, Principal, Vault } from '../store/vault.ts';
import { createOrganisation, createPrincipal, type NewPrincipal } from './directory.ts';
import type { RowError } from '../errors.ts';
import { runTrace, type TraceOptions } from '../trace/trace.ts';
import type { TraceReport } from '../trace/report.ts';
import type { LeakTable } from '../trace/leak-file.ts';

/** Who is asking, and under which request. */
export interface RequestContext {
  readonly principal: Principal;
  readonly requestId: string;
}

export interface ReadOptions {
  readonly purpose?: string;
  readonly reveal?: readonly string[];
  readonly justification?: string;
}

export interface RecordView {
  readonly id: string;
  readonly recordType: string;
  readonly organizationId: string | null;
  readonly createdAt: string;
  readonly fields: Record<string, FieldValue>;
  /** The fields returned in clear (the others are masked; absent ones hidden or empty). */
  readonly clear: string[];
  readonly purpose?: string;
  readonly disclosureId?: string;
}

export interface ExportFilter {
  readonly recordType?: string;
  readonly organizationId?: string;
  readonly collectedFrom?: string;
  readonly collectedTo?: string;
}

export interface ExportRequest {
  readonly purpose: string;
  readonly filter?: ExportFilter;
  readonly fields: readonly string[];
  readonly format: string;
  readonly justification?: string;
  /** Adds a column (`CANARY_FLAG_COLUMN`) flagging the canary rows, for recipients who contact families. */
  readonly canaryAware?: boolean;
}

export interface ExportInfo {
  readonly id: string;
  readonly status: 'pending' | 'approved' | 'refused';
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly purpose: string;
  readonly filter: ExportFilter;
  readonly fields: string[];
  readonly format: ExportFormat;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly expiresAt: string | null;
  readonly downloads: number;
  readonly canaryAware: boolean;
}

export interface Consent {
  readonly recordId: string;
  readonly organizationId: string;
  readonly purpose: string;
  readonly grantedAt: string;
}

export interface Alert {
  readonly id: string;
  readonly at: string;
  readonly principalId: string;
  readonly rule: string;
  readonly action: string;
  readonly detail: Record<string, unknown>;
  readonly resolvedAt: string | null;
}

export const STATS_DIMENSIONS = ['hospital', 'birthYear', 'birthMonth', 'babySex', 'district'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];
/** Cells counting fewer records are suppressed (small-cell suppression). */
export const MIN_CELL = 10;

export interface AccessOptions {
  readonly guard?: GuardConfig;
  /** How long an approved export can be downloaded. */
  readonly exportTtlMs?: number;
  /** Largest export, in records. */
  readonly exportLimit?: number;
  readonly sessionTtlMs?: number;
  /** Canaries in export files: the share of rows at one other holder per row (disclose/canary.ts canaryPlan; default 2%). */
  readonly canaryDensity?: number;
}

const EXPORT_TTL = 24 * 3600_000;
const JUSTIFICATION_AAD = aad('tracevault-justification', 1);
const SESSION_TTL = 8 * 3600_000;
const AUTH_CACHE_MS = 5_000;
const LOGIN_WINDOW_MS = 60_000;
const LOGIN_PER_WINDOW = 10;
const LOCK_AFTER = 5;
const LOCK_MS = 15 * 60_000;

interface CachedPrincipal {
  readonly principal: Principal;
  readonly until: number;
}

/** The policy's view of a record relative to the principal asking. */
interface Standing extends PolicyContext {
  readonly outsideCare: boolean;
}

export class Access {
  readonly vault: Vault;
  readonly guard: Guard;
  readonly #opts: AccessOptions;
  #policy: PolicyEngine | undefined;
  #policyCheckedAt = 0;
  readonly #auth = new Map<string, CachedPrincipal>();
  readonly #relationships = new Map<string, readonly CareRelationship[]>();
  readonly #poison = new Set<string>();
  readonly #logins = new Map<string, number[]>();
  readonly #stats = new Map<string, { key: string; value: StatsResult }>();
  #justificationKey: Buffer | undefined;
  /** Sealed justifications by principal and text: a ward round repeats one text over many reads. */
  readonly #justifications = new Map<string, Buffer>();
  #codeInstance: TardosCode | undefined;
  readonly #revealKeys = new Map<string, Buffer>();
  #traceKeyInstance: Buffer | undefined;
  #canaryKeyInstance: CanaryKeys | undefined;

  constructor(vault: Vault, opts: AccessOptions = {}) {
    this.vault = vault;
    this.guard = new Guard(opts.guard ?? DEFAULT_GUARD);
    this.#opts = opts;
  }

  get #db(): Db {
    return this.vault.db;
  }

  #now(): Date {
    return this.vault.registry.now();
  }

  /** Loads the policy (writing the default as version 1 in a new vault), the guard's blocks and the poison records. */
  async start(): Promise<this> {
    const tenant = this.vault.tenantId;
    if (!(await this.#db.get('SELECT 1 AS x FROM policies WHERE tenant_id = ?', [tenant]))) {
      await this.vault.registry.audited(async (tx, events) => {
        await tx.run('INSERT INTO policies (tenant_id, version, text, created_at, created_by) VALUES (?, 1, ?, ?, ?) ON CONFLICT DO NOTHING', [tenant, DEFAULT_POLICY, this.#now().toISOString(), 'system']);
        events.push({ action: 'policy.change', principalId: 'system', detail: { version: 1, sha256: sha256(DEFAULT_POLICY) } });
      });
    }
    await this.policy(true);
    for (const b of await this.#db.all<{ principal_id: string }>('SELECT principal_id FROM guard_blocks WHERE tenant_id = ?', [tenant])) this.guard.block(b.principal_id);
    for (const p of await this.#db.all<{ record_ref: string }>('SELECT record_ref FROM poison_records WHERE tenant_id = ?', [tenant])) this.#poison.add(p.record_ref);
    return this;
  }

  /** The current policy (re-read at most once a second: another process may have changed it). */
  async policy(force = false): Promise<PolicyEngine> {
    const now = Date.now();
    if (this.#policy && !force && now - this.#policyCheckedAt < 1000) return this.#policy;
    this.#policyCheckedAt = now;
    const row = await this.#db.get<{ version: number }>('SELECT MAX(version) AS version FROM policies WHERE tenant_id = ?', [this.vault.tenantId]);
    const version = Number(row?.version ?? 0);
    if (!this.#policy || this.#policy.version !== version) {
      const text = await this.#db.get<{ text: string }>('SELECT text FROM policies WHERE tenant_id = ? AND version = ?', [this.vault.tenantId, version]);
      if (!text) throw new TracevaultError('ERR_POLICY_INVALID');
      this.#policy = new PolicyEngine(text.text, version);
    }
    return this.#policy;
  }

  // --- Authentication -------------------------------------------------------------------------------

  /** The principal behind a bearer token (API token or session); cached for a few seconds. */
  async authenticate(token: string): Promise<Principal> {
    const key = tokenHash(token).toString('base64');
    const hit = this.#auth.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    const principal = await this.vault.authenticate(token);
    if (this.#auth.size > 10_000) this.#auth.clear();
    this.#auth.set(key, { principal, until: Date.now() + AUTH_CACHE_MS });
    return principal;
  }

  /**
   * A person's login: a session token valid for eight hours. Ten attempts a minute from one
   * address; five failures lock the account for fifteen minutes. Unknown login, wrong password and
   * locked account all give the same error after the same work, so no answer tells which accounts exist.
   */
  async login(address: string, login: string, password: string, requestId: string): Promise<{ token: string; expiresAt: string; principalId: string }> {
    const t = Date.now();
    const recent = (this.#logins.get(address) ?? []).filter((x) => t - x < LOGIN_WINDOW_MS);
    if (recent.length >= LOGIN_PER_WINDOW) throw new TracevaultError('ERR_RATE_LIMITED');
    recent.push(t);
    this.#logins.set(address, recent);
    const row = await this.#db.get<{ id: string; password_hash: string | null; failed_logins: number; locked_until: string | null; disabled_at: string | null; org_id: string | null }>(
      'SELECT id, password_hash, failed_logins, locked_until, disabled_at, org_id FROM principals WHERE tenant_id = ? AND login = ?',
      [this.vault.tenantId, typeof login === 'string' ? login : ''],
    );
    const now = this.#now();
    const passwordOk = await verifyPassword(row?.password_hash ?? null, typeof password === 'string' ? password : '');
    const locked = row?.locked_until != null && row.locked_until > now.toISOString();
    if (!row || !passwordOk || locked || row.disabled_at) {
      if (row) {
        const failures = Number(row.failed_logins) + 1;
        const lockedUntil = failures >= LOCK_AFTER ? new Date(now.getTime() + LOCK_MS).toISOString() : row.locked_until;
        await this.vault.registry.audited(async (tx, events) => {
          await tx.run('UPDATE principals SET failed_logins = ?, locked_until = ? WHERE id = ?', [locked ? row.failed_logins : failures, lockedUntil, row.id]);
          events.push({ action: 'login.failed', principalId: row.id, organisationId: row.org_id ?? undefined, requestId, outcome: 'denied', detail: { locked: locked || failures >= LOCK_AFTER } });
        });
      }
      throw new TracevaultError('ERR_UNAUTHENTICATED');
    }
    const token = newToken();
    const expiresAt = new Date(now.getTime() + (this.#opts.sessionTtlMs ?? SESSION_TTL)).toISOString();
    await this.vault.registry.audited(async (tx, events) => {
      await tx.run('UPDATE principals SET failed_logins = 0, locked_until = NULL WHERE id = ?', [row.id]);
      await tx.run('INSERT INTO sessions (token_hash, principal_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [tokenHash(token), row.id, now.toISOString(), expiresAt]);
      events.push({ action: 'login', principalId: row.id, organisationId: row.org_id ?? undefined, requestId, outcome: 'ok' });
    });
    return { token, expiresAt, principalId: row.id };
  }

  async logout(ctx: RequestContext, token: string): Promise<void> {
    await this.vault.registry.audited(async (tx, events) => {
      await tx.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash(token)]);
      events.push({ ...this.#entry(ctx), action: 'logout', outcome: 'ok' });
    });
    this.#auth.delete(tokenHash(token).toString('base64'));
  }

  // --- Organisations and principals -------------------------------------------------------------

  async createOrganisation(ctx: RequestContext, org: { name: string; kind: string; region?: string | null }): Promise<string> {
    await this.#authorise(ctx, 'administer', { type: 'Api', area: 'organisations' });
    return createOrganisation(this.vault, { id: ctx.principal.id, orgId: ctx.principal.orgId, entry: this.#entry(ctx) }, org);
  }

  async createPrincipal(ctx: RequestContext, p: NewPrincipal): Promise<{ id: string; token: string }> {
    await this.#authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    const r = await createPrincipal(this.vault, { id: ctx.principal.id, orgId: ctx.principal.orgId, entry: this.#entry(ctx) }, p);
    this.#relationships.delete(r.id);
    return r;
  }

  // --- Records ------------------------------------------------------------------------------------

  /** Collects one record for the principal's organisation. Returns its id and any validation warnings. */
  async collect(ctx: RequestContext, typeName: string, input: Record<string, unknown>): Promise<{ id: string; warnings: RowError[] }> {
    const [r] = await this.collectMany(ctx, typeName, [input]);
    return r!;
  }

  /** Collects several records: all valid and all stored, or none (errors name row, field and rule). */
  async collectMany(ctx: RequestContext, typeName: string, inputs: readonly Record<string, unknown>[]): Promise<{ id: string; warnings: RowError[] }[]> {
    const type = recordType(typeName);
    await this.#authorise(ctx, 'collect', { type: 'Record', recordType: type.name });
    const errors: RowError[] = [];
    const valid = inputs.map((input, row) => {
      const v = validateRecord(type, input, { now: this.#now() });
      if (!v.ok) errors.push(...v.errors.map((e) => ({ ...e, row })));
      return v;
    });
    if (errors.length > 0) throw new TracevaultError('ERR_INVALID_FIELD', { errors: errors.slice(0, 100), count: errors.length });
    const items = valid.map((v) => ({ id: this.vault.registry.newRecordId(), values: v.ok ? v.record.values : new Map(), warnings: v.ok ? [...v.record.warnings] : [] }));
    const actor = this.#actor(ctx, { decision: await this.#decision() });
    await this.vault.registry.audited((tx, events) => this.vault.registry.collectInto(tx, events, actor, type, items.map((i) => ({ id: i.id, values: i.values }))));
    return items.map((i) => ({ id: i.id, warnings: i.warnings }));
  }

  /** Reads a record: masked by default; with a purpose, the `reveal` fields in clear where the policy allows. */
  async read(ctx: RequestContext, recordId: string, opts: ReadOptions = {}): Promise<RecordView> {
    const wantsClear = (opts.reveal?.length ?? 0) > 0;
    const base = { ...this.#entry(ctx), recordRef: this.vault.registry.recordRef(recordId), action: wantsClear ? 'reveal' : 'read' } as const;
    if (wantsClear && !opts.purpose) await this.#refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_PURPOSE_REQUIRED'));
    if (opts.purpose) {
      try {
        purposeOf(opts.purpose);
      } catch (e) {
        await this.#refuse({ ...base, outcome: 'denied' }, e as TracevaultError);
      }
    }
    const purpose = opts.purpose;
    if (this.guard.isBlocked(ctx.principal.id)) await this.#refuse({ ...base, purpose, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    const policy = await this.policy();
    const rec = await this.#load(recordId, { ...base, purpose });
    const type = recordType(rec.recordType);
    const standing = await this.#standing(ctx, rec, purpose);
    if (!policy.allows(ctx.principal, 'read', { type: 'Record', recordType: type.name }, standing)) {
      // Outside the principal's reach: the same answer as a record that does not exist.
      await this.#refuse({ ...base, purpose, decision: `deny@${policy.version}`, outcome: 'denied' }, new TracevaultError('ERR_NOT_FOUND'));
    }
    const decisions = policy.fieldViews(ctx.principal, type, standing);
    const reveal = new Set<string>();
    for (const f of opts.reveal ?? []) {
      const def = fieldDef(type, f);
      if (!def) await this.#refuse({ ...base, purpose, outcome: 'denied' }, new TracevaultError('ERR_UNKNOWN_FIELD', { field: f.slice(0, 64) }));
      reveal.add(def!.name);
    }
    const refused = [...reveal].filter((f) => !decisions.get(f)?.reveal);
    if (refused.length > 0) {
      await this.#refuse({ ...base, purpose, fields: [...reveal], decision: `deny@${policy.version}`, outcome: 'denied' }, new TracevaultError('ERR_FORBIDDEN', { fields: refused, purpose }));
    }
    const justified = typeof opts.justification === 'string' && opts.justification.trim().length >= 10;
    const sensitive = [...reveal].filter((f) => fieldDef(type, f)!.sensitivity === 'sensitive');
    if (sensitive.length > 0 && !justified) {
      await this.#refuse({ ...base, purpose, fields: [...reveal], outcome: 'denied' }, new TracevaultError('ERR_JUSTIFICATION_REQUIRED', { fields: sensitive }));
    }
    const rendered = renderRecord(type, rec.seq, rec.current, decisions, reveal);
    await this.#guardCheck(ctx, base, purpose, rec, standing, rendered.items.length > 0, justified);
    const decision = `allow@${policy.version}`;
    // The clear values carry the principal's reveal codeword (disclose/marks.ts).
    const marked = rendered.items.length > 0;
    if (marked) {
      const clearRow = Object.fromEntries(rendered.clear.map((f) => [f, rendered.fields[f]!]));
      Object.assign(rendered.fields, markRow(type, clearRow, this.#code, this.#revealKey(ctx.principal.id), API_MARKED_KINDS));
    }
    const disclosureId = await this.#commitRead(ctx, { ...base, purpose, decision, fields: rendered.clear.length ? rendered.clear : undefined, outcome: 'ok' }, purpose, rendered.items, opts.justification, {
      fingerprint: marked ? PRINCIPAL_SCHEME : undefined,
    });
    return {
      id: rec.id, recordType: rec.recordType, organizationId: rec.orgId, createdAt: rec.createdAt, fields: rendered.fields, clear: rendered.clear,
      ...(purpose ? { purpose } : {}), ...(disclosureId ? { disclosureId } : {}),
    };
  }

  /** Equality search through the blind indexes: the records the principal may read, masked. */
  async search(ctx: RequestContext, scope: IndexScope, value: string): Promise<RecordView[]> {
    const base = { ...this.#entry(ctx), action: 'search' } as const;
    if (this.guard.isBlocked(ctx.principal.id)) await this.#refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    const policy = await this.policy();
    const out: RecordView[] = [];
    const events: AuditEvent[] = [];
    for (const rec of await this.vault.registry.searchRecords(scope, value)) {
      const id = rec.id;
      const type = recordType(rec.recordType);
      const standing = await this.#standing(ctx, rec, undefined);
      if (!policy.allows(ctx.principal, 'read', { type: 'Record', recordType: type.name }, standing)) continue;
      const rendered = renderRecord(type, rec.seq, rec.current, policy.fieldViews(ctx.principal, type, standing), new Set());
      await this.#guardCheck(ctx, { ...this.#entry(ctx), action: 'read', recordRef: this.vault.registry.recordRef(id) }, undefined, rec, standing, false, false);
      events.push({ ...this.#entry(ctx), action: 'read', recordRef: this.vault.registry.recordRef(id), decision: `allow@${policy.version}`, outcome: 'ok' });
      out.push({ id: rec.id, recordType: rec.recordType, organizationId: rec.orgId, createdAt: rec.createdAt, fields: rendered.fields, clear: [] });
    }
    await this.#ledgerOrFail(async (_tx, ev) => {
      ev.push({ ...base, outcome: 'ok', detail: { scope, results: out.length } }, ...events);
    });
    return out;
  }

  /** New versions of some fields (a value equal to the current one makes none). Returns the fields changed. */
  async update(ctx: RequestContext, recordId: string, input: Record<string, unknown>): Promise<string[]> {
    const base = { ...this.#entry(ctx), recordRef: this.vault.registry.recordRef(recordId), action: 'update' } as const;
    const policy = await this.policy();
    const rec = await this.#load(recordId, base);
    const type = recordType(rec.recordType);
    const standing = await this.#standing(ctx, rec, undefined);
    if (!policy.allows(ctx.principal, 'read', { type: 'Record', recordType: type.name }, standing)) {
      await this.#refuse({ ...base, decision: `deny@${policy.version}`, outcome: 'denied' }, new TracevaultError('ERR_NOT_FOUND'));
    }
    if (!policy.allows(ctx.principal, 'update', { type: 'Record', recordType: type.name }, standing)) {
      await this.#refuse({ ...base, decision: `deny@${policy.version}`, outcome: 'denied' }, new TracevaultError('ERR_FORBIDDEN'));
    }
    const v = validateRecord(type, input, { now: this.#now() }, true);
    if (!v.ok) throw new TracevaultError('ERR_INVALID_FIELD', { errors: v.errors });
    return this.vault.registry.update(this.#actor(ctx, { decision: `allow@${policy.version}` }), recordId, v.record.values);
  }

  /** Erasure on a data subject's request: the record's key is destroyed. */
  async erase(ctx: RequestContext, recordId: string, purpose: string | undefined): Promise<void> {
    const base = { ...this.#entry(ctx), recordRef: this.vault.registry.recordRef(recordId), action: 'erase', purpose } as const;
    const policy = await this.policy();
    const rec = await this.#load(recordId, base);
    const standing = await this.#standing(ctx, rec, purpose);
    if (!policy.allows(ctx.principal, 'erase', { type: 'Record', recordType: rec.recordType }, standing)) {
      await this.#refuse({ ...base, decision: `deny@${policy.version}`, outcome: 'denied' }, new TracevaultError('ERR_FORBIDDEN'));
    }
    await this.vault.registry.erase(this.#actor(ctx, { purpose, decision: `allow@${policy.version}` }), recordId);
  }

  // --- Exports ------------------------------------------------------------------------------------

  async requestExport(ctx: RequestContext, req: ExportRequest): Promise<ExportInfo> {
    const base = { ...this.#entry(ctx), action: 'export.request' } as const;
    const purpose = purposeOf(req.purpose).name;
    if (!EXPORT_FORMATS.includes(req.format as ExportFormat)) throw new TracevaultError('ERR_UNSUPPORTED_FORMAT', { field: 'format' });
    const type = recordType(req.filter?.recordType ?? 'birth');
    const filter: ExportFilter = { ...req.filter, recordType: type.name, organizationId: req.filter?.organizationId ?? ctx.principal.orgId ?? undefined };
    for (const k of ['collectedFrom', 'collectedTo'] as const) {
      if (filter[k] !== undefined && Number.isNaN(Date.parse(filter[k]))) throw new TracevaultError('ERR_INVALID_FIELD', { field: `filter.${k}`, rule: 'dateTime' });
    }
    if (req.fields.length === 0) throw new TracevaultError('ERR_MISSING_FIELD', { field: 'fields' });
    for (const f of req.fields) if (!fieldDef(type, f)) throw new TracevaultError('ERR_UNKNOWN_FIELD', { field: f.slice(0, 64) });
    const policy = await this.policy();
    const standing: PolicyContext = { purpose, sameOrg: filter.organizationId === ctx.principal.orgId, inCare: false, consented: false };
    const denied = !policy.allows(ctx.principal, 'export', { type: 'Record', recordType: type.name }, standing)
      || req.fields.some((f) => !policy.allows(ctx.principal, 'reveal', { type: 'Field', recordType: type.name, field: fieldDef(type, f)! }, standing));
    if (denied) await this.#refuse({ ...base, purpose, fields: [...req.fields], decision: `deny@${policy.version}`, outcome: 'denied' }, new TracevaultError('ERR_FORBIDDEN', { purpose }));
    const id = newId('x');
    const at = this.#now().toISOString();
    await this.vault.registry.audited(async (tx, events) => {
      await tx.run('INSERT INTO exports (id, tenant_id, requested_by, requested_at, purpose, filter, fields, format, status, canary_aware) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        id, this.vault.tenantId, ctx.principal.id, at, purpose, JSON.stringify(filter), req.fields.join(','), req.format, 'pending', req.canaryAware ? 1 : 0,
      ]);
      events.push({ ...base, purpose, fields: [...req.fields], decision: `allow@${policy.version}`, outcome: 'ok', detail: { export: id, format: req.format } });
    });
    return this.export(ctx, id);
  }

  /** An export request as its requester or a data-protection officer sees it. */
  async export(ctx: RequestContext, id: string): Promise<ExportInfo> {
    const info = await this.#exportRow(id);
    const policy = await this.policy();
    if (info.requestedBy !== ctx.principal.id && !policy.allows(ctx.principal, 'approve', { type: 'Api', area: 'exports' })) throw new TracevaultError('ERR_NOT_FOUND');
    return info;
  }

  /** Approves (or refuses) an export. The approver is never the requester. */
  async decideExport(ctx: RequestContext, id: string, approve: boolean): Promise<ExportInfo> {
    const base = { ...this.#entry(ctx), action: approve ? 'approve' : 'export.refuse', detail: { export: id } } as const;
    await this.#authorise(ctx, 'approve', { type: 'Api', area: 'exports' });
    const info = await this.#exportRow(id);
    if (info.requestedBy === ctx.principal.id) await this.#refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_SELF_APPROVAL'));
    if (info.status !== 'pending') throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
    const now = this.#now();
    const expires = approve ? new Date(now.getTime() + (this.#opts.exportTtlMs ?? EXPORT_TTL)).toISOString() : null;
    await this.vault.registry.audited(async (tx, events) => {
      const n = await tx.run("UPDATE exports SET status = ?, decided_by = ?, decided_at = ?, expires_at = ? WHERE id = ? AND status = 'pending'", [
        approve ? 'approved' : 'refused', ctx.principal.id, now.toISOString(), expires, id,
      ]);
      if (n !== 1) throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
      events.push({ ...base, purpose: info.purpose, outcome: 'ok' });
    });
    return this.#exportRow(id);
  }

  /**
   * The approved export's file, generated now (no clear file is kept) and recorded as a disclosure
   * of every field version in it before it is returned. Only the requester downloads it, before it expires.
   */
  async exportFile(ctx: RequestContext, id: string): Promise<{ format: ExportFormat; body: Buffer; records: number; disclosureId: string }> {
    const info = await this.#exportRow(id);
    const base = { ...this.#entry(ctx), action: 'export', purpose: info.purpose } as const;
    if (info.requestedBy !== ctx.principal.id) await this.#refuse({ ...base, outcome: 'denied', detail: { export: id } }, new TracevaultError('ERR_NOT_FOUND'));
    if (info.status !== 'approved') await this.#refuse({ ...base, outcome: 'denied', detail: { export: id } }, new TracevaultError('ERR_APPROVAL_REQUIRED'));
    if (info.expiresAt! <= this.#now().toISOString()) await this.#refuse({ ...base, outcome: 'denied', detail: { export: id } }, new TracevaultError('ERR_EXPIRED'));
    if (this.guard.isBlocked(ctx.principal.id)) await this.#refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    const type = recordType(info.filter.recordType ?? 'birth');
    const f = info.filter;
    const limit = this.#opts.exportLimit ?? 100_000;
    const where = ['record_type = ?', 'erased_at IS NULL', 'staged_by IS NULL'];
    const params: (string | number)[] = [type.name];
    const add = (clause: string, value: string) => {
      where.push(clause);
      params.push(value);
    };
    // With an organisation the tenant is checked on the rows read: named in the WHERE clause, it
    // makes SQLite's planner scan the tenant's index (every record) instead of records_org.
    if (f.organizationId) add('org_id = ?', f.organizationId);
    else add('tenant_id = ?', this.vault.tenantId);
    if (f.collectedFrom) add('created_at >= ?', new Date(f.collectedFrom).toISOString());
    if (f.collectedTo) add('created_at < ?', new Date(f.collectedTo).toISOString());
    const ids = (await this.#db.all<{ id: string; tenant_id: string }>(`SELECT id, tenant_id FROM records WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${limit + 1}`, params))
      .filter((r) => r.tenant_id === this.vault.tenantId);
    if (ids.length > limit) throw new TracevaultError('ERR_FILE_TOO_LARGE', { limit });
    const rows: Record<string, FieldValue>[] = [];
    const seqs: number[] = [];
    const items: DisclosedItem[] = [];
    // Every row is marked for this disclosure (disclose/marks.ts): its id comes first.
    const disclosureId = newDisclosureId();
    const markKey = this.vault.keys.keyedId(DISCLOSURE_KEY_LABEL, disclosureId);
    for (const { id: rid } of ids) {
      // Poison records are never part of a legitimate export.
      if (this.#poison.has(this.vault.registry.recordRef(rid))) continue;
      const rec = await this.vault.registry.get(rid);
      const row: Record<string, FieldValue> = {};
      for (const field of info.fields) {
        const v = rec.current.get(field);
        if (!v) continue;
        row[field] = v.value;
        items.push({ recordSeq: rec.seq, field, version: v.version });
      }
      rows.push(row);
      seqs.push(rec.seq);
    }
    // Canaries: the recipient's earlier ones for the same filter, grown to today (two snapshots
    // must not tell them apart), then new ones for this disclosure, as many and where the overlap
    // with other recipients asks (canaryPlan); placed among the rows; then every row is marked.
    const now = this.#now();
    const earlier = await this.#earlierCanaries(ctx.principal.id, info, now);
    const plan = canaryPlan(this.#opts.canaryDensity ?? DEFAULT_DENSITY, await this.#otherHolders(ctx.principal.id, seqs));
    const fresh = mintCanaries(type, rows, info.fields, markKey, { ...plan, count: plan.count - earlier.length }, now);
    if (info.fields.includes('motherPhone')) await this.#assignContacts(fresh);
    const canaries = [...earlier, ...fresh];
    const flagged = new Set<Record<string, FieldValue>>(canaries.map((c) => c.row));
    const file = interleave(rows, canaries.map((c) => c.row), markKey).map((r) => {
      const marked = markRow(type, r, this.#code, markKey);
      return info.canaryAware ? { ...marked, [CANARY_FLAG_COLUMN]: flagged.has(r) ? '1' : '' } : marked;
    });
    markKey.fill(0);
    const body = await writeExport(info.format, info.canaryAware ? [...info.fields, CANARY_FLAG_COLUMN] : info.fields, file);
    const at = this.#now().toISOString();
    await this.#commitRead(ctx, { ...base, fields: info.fields, outcome: 'ok', detail: { export: id, records: file.length, sha256: sha256(body) } }, info.purpose, items, undefined, {
      channel: 'export', exportId: id, always: true, disclosureId, fingerprint: SCHEME,
      extra: (tx) => storeCanaries(tx, this.vault.tenantId, disclosureId, canaries, this.#canaryKeys, at),
    });
    await this.#db.run('UPDATE exports SET downloads = downloads + 1 WHERE id = ?', [id]);
    return { format: info.format, body, records: file.length, disclosureId };
  }

  async #exportRow(id: string): Promise<ExportInfo> {
    const r = await this.#db.get<Record<string, string | number | null>>('SELECT * FROM exports WHERE id = ? AND tenant_id = ?', [id, this.vault.tenantId]);
    if (!r) throw new TracevaultError('ERR_NOT_FOUND');
    return {
      id: String(r.id), status: r.status as ExportInfo['status'], requestedBy: String(r.requested_by), requestedAt: String(r.requested_at), purpose: String(r.purpose),
      filter: JSON.parse(String(r.filter)) as ExportFilter, fields: String(r.fields).split(','), format: r.format as ExportFormat,
      decidedBy: r.decided_by as string | null, decidedAt: r.decided_at as string | null, expiresAt: r.expires_at as string | null, downloads: Number(r.downloads),
      canaryAware: Number(r.canary_aware) === 1,
    };
  }

  // --- Aggregates ------------------------------------------------------------------------------------

  /**
   * Counts of records by one dimension, with small-cell suppression: a cell under MIN_CELL is
   * withheld, and when only one cell would be withheld the next smallest is too (so the total
   * cannot give it away). Never a row.
   */
  async stats(ctx: RequestContext, by: string, typeName = 'birth'): Promise<StatsResult> {
    if (!(STATS_DIMENSIONS as readonly string[]).includes(by)) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'groupBy', rule: 'dimension' });
    const dim = by as StatsDimension;
    const type = recordType(typeName);
    await this.#authorise(ctx, 'aggregate', { type: 'Api', area: 'stats' });
    const version = await this.#db.get<{ n: number; c: number }>('SELECT COUNT(*) AS n, (SELECT COUNT(*) FROM record_changes) AS c FROM records WHERE tenant_id = ? AND record_type = ? AND erased_at IS NULL AND staged_by IS NULL', [this.vault.tenantId, type.name]);
    const key = `${version?.n}/${version?.c}`;
    let result = this.#stats.get(`${type.name}|${dim}`);
    if (result?.key !== key) {
      result = { key, value: await this.#computeStats(type, dim) };
      this.#stats.set(`${type.name}|${dim}`, result);
    }
    await this.#ledgerOrFail(async (_tx, events) => {
      events.push({ ...this.#entry(ctx), action: 'aggregate', outcome: 'ok', detail: { groupBy: dim, recordType: type.name, cells: result.value.cells.length } });
    });
    return result.value;
  }

  async #computeStats(type: RecordType, dim: StatsDimension): Promise<StatsResult> {
    const counts = new Map<string, number>();
    const orgNames = new Map((await this.#db.all<{ id: string; name: string }>('SELECT id, name FROM organisations WHERE tenant_id = ?', [this.vault.tenantId])).map((o) => [o.id, o.name]));
    let after = 0;
    for (;;) {
      const page = await this.#db.all<{ seq: number; id: string; org_id: string | null }>(
        'SELECT seq, id, org_id FROM records WHERE tenant_id = ? AND record_type = ? AND erased_at IS NULL AND staged_by IS NULL AND seq > ? ORDER BY seq LIMIT 2000',
        [this.vault.tenantId, type.name, after],
      );
      for (const r of page) {
        let cell: string | undefined;
        if (dim === 'hospital') cell = (r.org_id && orgNames.get(r.org_id)) ?? 'unknown';
        else {
          const rec = await this.vault.registry.get(r.id);
          const v = (f: string) => rec.current.get(f)?.value;
          const birth = v('birthTime');
          if (dim === 'babySex') cell = typeof v('babySex') === 'string' ? (v('babySex') as string) : 'unknown';
          else if (dim === 'birthYear' || dim === 'birthMonth') cell = typeof birth === 'string' ? birth.slice(0, dim === 'birthYear' ? 4 : 7) : 'unknown';
          else cell = (typeof v('address') === 'string' && splitAddress(v('address') as string).district) || 'unknown';
        }
        counts.set(cell, (counts.get(cell) ?? 0) + 1);
      }
      if (page.length < 2000) break;
      after = Number(page[page.length - 1]!.seq);
    }
    const cells = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, count]) => ({ value, count: count as number | null, suppressed: count < MIN_CELL }));
    const suppressed = cells.filter((c) => c.suppressed);
    if (suppressed.length === 1) {
      const next = cells.filter((c) => !c.suppressed).sort((a, b) => a.count! - b.count!)[0];
      if (next) next.suppressed = true;
    }
    for (const c of cells) if (c.suppressed) c.count = null;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    return { groupBy: dim, recordType: type.name, minCell: MIN_CELL, total: total < MIN_CELL ? null : total, cells };
  }

  // --- Alerts, policies, investigators -------------------------------------------------------------

  async alerts(ctx: RequestContext, opts: { since?: string; limit?: number } = {}): Promise<Alert[]> {
    await this.#authorise(ctx, 'view_alerts', { type: 'Api', area: 'alerts' });
    const rows = await this.#db.all<Record<string, string | null>>(
      'SELECT id, at, principal_id, rule, action, detail, resolved_at FROM alerts WHERE tenant_id = ? AND at >= ? ORDER BY at DESC, id LIMIT ?',
      [this.vault.tenantId, opts.since ?? '', Math.min(Math.max(opts.limit ?? 100, 1), 1000)],
    );
    return rows.map((r) => ({ id: r.id!, at: r.at!, principalId: r.principal_id!, rule: r.rule!, action: r.action!, detail: JSON.parse(r.detail!) as Record<string, unknown>, resolvedAt: r.resolved_at ?? null }));
  }

  /** A data-protection officer resolves an alert; a block it caused is lifted. */
  async resolveAlert(ctx: RequestContext, id: string): Promise<void> {
    await this.#authorise(ctx, 'manage_policy', { type: 'Api', area: 'alerts' });
    const alert = await this.#db.get<{ principal_id: string }>('SELECT principal_id FROM alerts WHERE id = ? AND tenant_id = ?', [id, this.vault.tenantId]);
    if (!alert) throw new TracevaultError('ERR_NOT_FOUND');
    await this.vault.registry.audited(async (tx, events) => {
      await tx.run('UPDATE alerts SET resolved_at = ?, resolved_by = ? WHERE id = ?', [this.#now().toISOString(), ctx.principal.id, id]);
      await tx.run('DELETE FROM guard_blocks WHERE alert_id = ?', [id]);
      events.push({ ...this.#entry(ctx), action: 'alert.resolve', outcome: 'ok', detail: { alert: id, principal: alert.principal_id } });
    });
    if (!(await this.#db.get('SELECT 1 AS x FROM guard_blocks WHERE principal_id = ?', [alert.principal_id]))) this.guard.unblock(alert.principal_id);
  }

  async getPolicy(ctx: RequestContext): Promise<{ version: number; text: string }> {
    await this.#authorise(ctx, 'manage_policy', { type: 'Api', area: 'policies' });
    const p = await this.policy(true);
    return { version: p.version, text: p.text };
  }

  /** Replaces the policy (a new version; the old ones are kept). The text must parse. */
  async setPolicy(ctx: RequestContext, text: string): Promise<{ version: number }> {
    await this.#authorise(ctx, 'manage_policy', { type: 'Api', area: 'policies' });
    const current = await this.policy(true);
    const next = new PolicyEngine(text, current.version + 1);
    await this.vault.registry.audited(async (tx, events) => {
      await tx.run('INSERT INTO policies (tenant_id, version, text, created_at, created_by) VALUES (?, ?, ?, ?, ?)', [this.vault.tenantId, next.version, text, this.#now().toISOString(), ctx.principal.id]);
      events.push({ ...this.#entry(ctx), action: 'policy.change', outcome: 'ok', detail: { version: next.version, sha256: sha256(text) } });
    });
    this.#policy = next;
    this.#stats.clear();
    return { version: next.version };
  }

  /**
   * For investigators (administrators only): the ledger's keyed references to the records of an
   * identifier — a record id, or a phone, resident id or name found through the blind indexes —
   * so that the ledger entries about a person can be found without the ledger naming anyone.
   */
  async hashIdentifier(ctx: RequestContext, kind: 'recordId' | IndexScope, value: string): Promise<{ recordRefs: string[] }> {
    await this.#authorise(ctx, 'hash_identifier', { type: 'Api', area: 'ledger' });
    const ids = kind === 'recordId' ? [value] : await this.vault.registry.search(kind, value, { anyVersion: true, limit: 1000 });
    const recordRefs = ids.map((id) => this.vault.registry.recordRef(id));
    await this.#ledgerOrFail(async (_tx, events) => {
      events.push({ ...this.#entry(ctx), action: 'identifier.hash', outcome: 'ok', detail: { kind, results: recordRefs.length } });
    });
    return { recordRefs };
  }

  /** Marks a record as poison: no legitimate workflow reads it, so any read blocks its reader. */
  async addPoison(ctx: RequestContext | null, recordId: string): Promise<void> {
    if (ctx) await this.#authorise(ctx, 'manage_policy', { type: 'Api', area: 'guard' });
    const ref = this.vault.registry.recordRef(recordId);
    await this.#db.run('INSERT INTO poison_records (record_ref, tenant_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [ref, this.vault.tenantId, this.#now().toISOString()]);
    this.#poison.add(ref);
  }

  // --- Consents ------------------------------------------------------------------------------------

  /**
   * Records a guardian's consent for an authorised partner to use a record for a purpose whose
   * legal basis is consent (PIPL art. 13(1); for a child under 14, art. 31 asks for the guardian's):
   * from then on the partner's reads of this record are `consented` in the policy's context. The
   * consent of an earlier grant stands (its time is kept). A ledger entry.
   */
  async grantConsent(ctx: RequestContext, recordId: string, grant: { organizationId: string; purpose: string }): Promise<Consent> {
    const { rec, purpose, base } = await this.#consentTarget(ctx, recordId, 'consent.grant', grant.purpose);
    const org = await this.vault.organisation(grant.organizationId);
    if (org?.kind !== 'partner') {
      await this.#refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_INVALID_FIELD', { field: 'organizationId', rule: 'consent.partner' }));
    }
    return this.#ledgerOrFail(async (tx, events) => {
      await tx.run('INSERT INTO consents (record_seq, org_id, purpose, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [rec.seq, org!.id, purpose, this.#now().toISOString()]);
      const row = await tx.get<{ granted_at: string }>('SELECT granted_at FROM consents WHERE record_seq = ? AND org_id = ? AND purpose = ?', [rec.seq, org!.id, purpose]);
      events.push({ ...base, outcome: 'ok', detail: { organizationId: org!.id } });
      return { recordId: rec.id, organizationId: org!.id, purpose, grantedAt: row!.granted_at };
    });
  }

  /** Withdraws a consent (PIPL art. 15): the partner's next read is refused. ERR_NOT_FOUND if there was none. */
  async withdrawConsent(ctx: RequestContext, recordId: string, organizationId: string, purpose: string | undefined): Promise<void> {
    const target = await this.#consentTarget(ctx, recordId, 'consent.withdraw', purpose);
    const removed = await this.#ledgerOrFail(async (tx, events) => {
      const n = await tx.run('DELETE FROM consents WHERE record_seq = ? AND org_id = ? AND purpose = ?', [target.rec.seq, organizationId, target.purpose]);
      events.push({ ...target.base, outcome: 'ok', detail: { organizationId: organizationId.slice(0, 64), removed: n } });
      return n;
    });
    if (removed === 0) throw new TracevaultError('ERR_NOT_FOUND');
  }

  /** The consents recorded for a record (to whom, for what, since when); a ledger entry. */
  async consents(ctx: RequestContext, recordId: string): Promise<Consent[]> {
    const { rec, base } = await this.#consentTarget(ctx, recordId, 'consent.list', undefined);
    const rows = await this.#db.all<{ org_id: string; purpose: string; granted_at: string }>('SELECT org_id, purpose, granted_at FROM consents WHERE record_seq = ? ORDER BY granted_at, org_id, purpose', [rec.seq]);
    await this.#ledgerOrFail(async (_tx, events) => {
      events.push({ ...base, outcome: 'ok', detail: { consents: rows.length } });
    });
    return rows.map((r) => ({ recordId: rec.id, organizationId: r.org_id, purpose: r.purpose, grantedAt: r.granted_at }));
  }

  /**
   * The record a consent call is about, once the principal may manage its consents. Outside the
   * principal's reach, the answer of a record that does not exist (as for reads).
   */
  async #consentTarget(ctx: RequestContext, recordId: string, action: 'consent.grant' | 'consent.withdraw' | 'consent.list', purposeName: string | undefined) {
    const purpose = action === 'consent.list' ? undefined : purposeOf(purposeName);
    if (purpose && !purpose.byConsent) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'purpose', rule: 'consent.purpose' });
    const base = { ...this.#entry(ctx), recordRef: this.vault.registry.recordRef(recordId), action, purpose: purpose?.name } as const;
    const policy = await this.policy();
    const rec = await this.#load(recordId, base);
    const standing = await this.#standing(ctx, rec, undefined);
    if (!policy.allows(ctx.principal, 'consent', { type: 'Record', recordType: rec.recordType }, standing)) {
      const readable = policy.allows(ctx.principal, 'read', { type: 'Record', recordType: rec.recordType }, standing);
      await this.#refuse({ ...base, decision: `deny@${policy.version}`, outcome: 'denied' }, new TracevaultError(readable ? 'ERR_FORBIDDEN' : 'ERR_NOT_FOUND'));
    }
    return { rec, purpose: purpose?.name ?? '', base: { ...base, decision: `allow@${policy.version}` } };
  }

  // --- Internals -------------------------------------------------------------------------------------

  get #canaryKeys(): CanaryKeys {
    return (this.#canaryKeyInstance ??= {
      refKey: (vkey) => this.vault.keys.keyedId('canary-ref', vkey),
      sealKey: this.vault.keys.keyedId('canary-seal', 'v1'),
    });
  }

  /**
   * The canaries found in a leaked table (rows as field → cell) and the disclosures they were
   * minted for (investigators and data-protection officers). With `open`, the canary rows as minted.
   */
  async findCanaries(ctx: RequestContext, rows: readonly Readonly<Record<string, unknown>>[]): Promise<CanaryHit[]> {
    // Which disclosure a canary was minted for is readable with the investigator's action alone.
    await this.#authorise(ctx, 'trace', { type: 'Api', area: 'canaries' });
    const hits = await findCanaries(this.#db, this.vault.tenantId, rows, this.#canaryKeys);
    await this.#ledgerOrFail(async (_tx, events) => {
      events.push({ ...this.#entry(ctx), action: 'read', outcome: 'ok', detail: { canaryLookup: rows.length, hits: hits.length } });
    });
    return hits;
  }

  /**
   * Traces a leaked table to its source (investigators only; trace/trace.ts). The report is kept
   * sealed and the trace is a ledger entry; no entry, no report.
   */
  async trace(ctx: RequestContext, table: LeakTable, opts: TraceOptions = {}, how: { keyHolder?: boolean } = {}): Promise<TraceReport> {
    // The command line without a token acts for the holder of the key file, who can read everything anyway.
    if (!how.keyHolder) await this.#authorise(ctx, 'trace', { type: 'Api', area: 'traces' });
    const report = await runTrace({ registry: this.vault.registry, canaryKeys: this.#canaryKeys, code: this.#code, now: () => this.#now(), kek: this.vault.kek }, table, opts);
    await this.vault.registry.audited(async (tx, events) => {
      await tx.run('INSERT INTO traces (id, tenant_id, created_at, created_by, rows_total, accused, report) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        report.id, this.vault.tenantId, report.createdAt, ctx.principal.id, report.rows.total, report.accused?.principalId ?? null,
        seal(this.#traceKey, Buffer.from(JSON.stringify(report), 'utf8'), aad('tracevault-trace', report.id, 1)),
      ]);
      events.push({ ...this.#entry(ctx), action: 'trace', outcome: 'ok', detail: { trace: report.id, rows: report.rows.total, linked: report.rows.linked, accused: report.accused?.principalId ?? 'none', keyHolder: how.keyHolder === true } });
    });
    return report;
  }

  /** A trace's report (investigators only; reading one is a ledger entry too). */
  async getTrace(ctx: RequestContext, id: string): Promise<TraceReport> {
    await this.#authorise(ctx, 'trace', { type: 'Api', area: 'traces' });
    const row = await this.#db.get<{ report: Buffer }>('SELECT report FROM traces WHERE id = ? AND tenant_id = ?', [id, this.vault.tenantId]);
    if (!row) throw new TracevaultError('ERR_NOT_FOUND');
    const report = JSON.parse(open(this.#traceKey, row.report, aad('tracevault-trace', id, 1)).toString('utf8')) as TraceReport;
    await this.#ledgerOrFail(async (_tx, events) => {
      events.push({ ...this.#entry(ctx), action: 'trace', outcome: 'ok', detail: { trace: id, read: true } });
    });
    return report;
  }

  get #traceKey(): Buffer {
    return (this.#traceKeyInstance ??= this.vault.keys.keyedId('trace-report-key', 'v1'));
  }

  /**
   * Gives canaries the operator's phone contact points (the least used first), so that a call to a
   * canary reaches the operator, never a stranger who happens to hold a generated number.
   */
  async #assignContacts(canaries: MintedCanary[]): Promise<void> {
    const contacts = await this.#db.all<{ id: string; sealed: Buffer; assigned: number }>(
      "SELECT id, sealed, assigned FROM canary_contacts WHERE tenant_id = ? AND kind = 'phone' ORDER BY assigned, id", [this.vault.tenantId],
    );
    if (contacts.length === 0) return;
    canaries.forEach((c, i) => {
      const contact = contacts[i % contacts.length]!;
      c.row.motherPhone = openText(this.#canaryKeys, contact.sealed, 'contact');
      c.contactId = contact.id;
    });
  }

  /** How many other principals received each of these records in clear (the overlap canaryPlan weighs). */
  async #otherHolders(principalId: string, seqs: readonly number[]): Promise<number[]> {
    const n = new Map<number, number>();
    for (let i = 0; i < seqs.length; i += 500) {
      const page = seqs.slice(i, i + 500);
      for (const r of await this.#db.all<{ s: number; n: number }>(
        `SELECT i.record_seq AS s, COUNT(DISTINCT d.principal_id) AS n FROM disclosure_items i JOIN disclosures d ON d.id = i.disclosure_id
         WHERE i.record_seq IN (${page.map(() => '?').join(',')}) AND d.principal_id <> ? GROUP BY i.record_seq`, [...page, principalId])) n.set(Number(r.s), Number(r.n));
    }
    return seqs.map((s) => n.get(s) ?? 0);
  }

  /**
   * The canaries this principal received in earlier exports with the same filter, each grown again
   * to `now` from its recipe (a temporary name becomes the registered one, vaccinations follow the
   * schedule), keeping the contact phone it was given.
   */
  async #earlierCanaries(principalId: string, info: ExportInfo, now: Date): Promise<MintedCanary[]> {
    const found = await this.#db.all<{ sealed: Buffer; contact_id: string | null }>(
      `SELECT c.sealed, c.contact_id FROM canaries c JOIN disclosures d ON d.id = c.disclosure_id JOIN exports e ON e.id = d.export_id
       WHERE c.tenant_id = ? AND d.principal_id = ? AND e.filter = ? ORDER BY c.created_at, c.id`, [this.vault.tenantId, principalId, JSON.stringify(info.filter)],
    );
    const out = new Map<string, MintedCanary>();
    for (const c of found) {
      const { row: before, recipe } = openCanary(this.#canaryKeys, c.sealed);
      if (!recipe) continue;
      const row = growCanary(recipe, info.fields, now);
      if (!row) continue;
      if (c.contact_id && typeof before.motherPhone === 'string' && info.fields.includes('motherPhone')) row.motherPhone = before.motherPhone;
      out.set(recipe.seed, { id: newId('c'), row, recipe, ...(c.contact_id ? { contactId: c.contact_id } : {}) });
    }
    return [...out.values()];
  }

  /** Registers a phone number or mailbox the operator controls, to be given to canaries (investigators, DPOs). */
  async addContactPoint(ctx: RequestContext, kind: 'phone' | 'mailbox', value: string): Promise<{ id: string }> {
    await this.#authorise(ctx, 'investigate', { type: 'Api', area: 'canaries' });
    const normalised = this.#contactValue(kind, value);
    const id = newId('k');
    await this.vault.registry.audited(async (tx, events) => {
      const ref = this.#canaryKeys.refKey(`contact:${normalised}`);
      if (await tx.get('SELECT 1 AS x FROM canary_contacts WHERE tenant_id = ? AND value_ref = ?', [this.vault.tenantId, ref])) throw new TracevaultError('ERR_CONFLICT', { field: 'value' });
      await tx.run('INSERT INTO canary_contacts (id, tenant_id, kind, value_ref, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        id, this.vault.tenantId, kind, ref, sealText(this.#canaryKeys, normalised, 'contact'), this.#now().toISOString(),
      ]);
      events.push({ ...this.#entry(ctx), action: 'policy.change', outcome: 'ok', detail: { canaryContact: id, kind } });
    });
    return { id };
  }

  /**
   * Intake of "a call or message to contact point X at time T quoting Y". A hit counts only when
   * the quote holds content specific to a canary given that contact point; then it names the
   * canary's disclosure. Every report is kept (the quote sealed) and is a ledger entry.
   */
  async reportContact(ctx: RequestContext, report: { contact: string; at: string; quote: string }): Promise<{ id: string; confirmed: boolean; disclosureIds: string[] }> {
    await this.#authorise(ctx, 'investigate', { type: 'Api', area: 'canaries' });
    if (Number.isNaN(Date.parse(report.at))) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'at', rule: 'dateTime' });
    const value = /@/.test(report.contact) ? this.#contactValue('mailbox', report.contact) : this.#contactValue('phone', report.contact);
    const contact = await this.#db.get<{ id: string }>('SELECT id FROM canary_contacts WHERE tenant_id = ? AND value_ref = ?', [this.vault.tenantId, this.#canaryKeys.refKey(`contact:${value}`)]);
    if (!contact) throw new TracevaultError('ERR_NOT_FOUND', { field: 'contact' });
    const matches: { canaryId: string; disclosureId: string }[] = [];
    for (const c of await this.#db.all<{ id: string; disclosure_id: string; sealed: Buffer }>('SELECT id, disclosure_id, sealed FROM canaries WHERE contact_id = ?', [contact.id])) {
      if (quotesCanary(report.quote, openCanaryRow(this.#canaryKeys, c.sealed))) matches.push({ canaryId: c.id, disclosureId: c.disclosure_id });
    }
    const id = newId('h');
    const at = new Date(report.at).toISOString();
    await this.vault.registry.audited(async (tx, events) => {
      for (const m of matches.length ? matches : [undefined]) {
        await tx.run('INSERT INTO canary_hits (id, tenant_id, contact_id, at, confirmed, canary_id, disclosure_id, quote, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
          m ? `${id}.${m.canaryId}` : id, this.vault.tenantId, contact.id, at, m ? 1 : 0, m?.canaryId ?? null, m?.disclosureId ?? null,
          sealText(this.#canaryKeys, report.quote.slice(0, 4000), 'quote'), this.#now().toISOString(),
        ]);
      }
      events.push({ ...this.#entry(ctx), action: 'alert', outcome: 'ok', detail: { canaryHit: id, confirmed: matches.length > 0, disclosures: [...new Set(matches.map((m) => m.disclosureId))].join(',') } });
    });
    // The canary's disclosure is named to investigators only; a DPO records the call and sees whether it was confirmed.
    const policy = await this.policy();
    const mayTrace = policy.allows(ctx.principal, 'trace', { type: 'Api', area: 'canaries' });
    return { id, confirmed: matches.length > 0, disclosureIds: mayTrace ? [...new Set(matches.map((m) => m.disclosureId))] : [] };
  }

  #contactValue(kind: 'phone' | 'mailbox', value: string): string {
    if (kind === 'phone') {
      const m = KINDS.mobile.parse(value, { now: this.#now() });
      if (!m.ok) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'value', rule: m.rule });
      return m.value as string;
    }
    const v = value.trim().toLowerCase();
    if (!/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(v)) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'value', rule: 'mailbox' });
    return v;
  }

  /** The key of a principal's reveal codeword (PRINCIPAL_SCHEME), derived from the tenant's index key. */
  #revealKey(principalId: string): Buffer {
    let k = this.#revealKeys.get(principalId);
    if (!k) this.#revealKeys.set(principalId, (k = this.vault.keys.keyedId(REVEAL_KEY_LABEL, principalId)));
    return k;
  }

  /** The tenant's fingerprint code (bias key derived from its index key). */
  get #code(): TardosCode {
    return (this.#codeInstance ??= new TardosCode(this.vault.keys.keyedId('fingerprint-bias', 'v1')));
  }

  #entry(ctx: RequestContext): Partial<AuditEvent> & { principalId: string } {
    return { principalId: ctx.principal.id, organisationId: ctx.principal.orgId ?? undefined, roles: ctx.principal.roles.join(','), requestId: ctx.requestId };
  }

  #actor(ctx: RequestContext, extra: Partial<AuditEvent>) {
    return { id: ctx.principal.id, orgId: ctx.principal.orgId, entry: { ...this.#entry(ctx), ...extra } };
  }

  async #decision(): Promise<string> {
    return `allow@${(await this.policy()).version}`;
  }

  /** Throws ERR_FORBIDDEN (after a ledger entry) unless the policy allows. */
  async #authorise(ctx: RequestContext, action: Action, resource: Resource, pctx: PolicyContext = {}): Promise<void> {
    const policy = await this.policy();
    if (policy.allows(ctx.principal, action, resource, pctx)) return;
    await this.#refuse({ ...this.#entry(ctx), action: ledgerAction(action), decision: `deny@${policy.version}`, outcome: 'denied', detail: { area: resource.type === 'Api' ? resource.area : resource.recordType } }, new TracevaultError('ERR_FORBIDDEN'));
  }

  /** Records a refusal in the ledger, then throws `error`. */
  async #refuse(event: AuditEvent, error: TracevaultError): Promise<never> {
    await this.#ledgerOrFail(async (_tx, events) => {
      events.push(event);
    });
    throw error;
  }

  /** A ledger-only transaction; a ledger that cannot be written is ERR_LEDGER_UNAVAILABLE. */
  async #ledgerOrFail<T>(fn: (tx: Db, events: AuditEvent[]) => Promise<T>): Promise<T> {
    try {
      return await this.vault.registry.audited(fn);
    } catch (e) {
      if (e instanceof TracevaultError && e.code !== 'ERR_STORAGE') throw e;
      throw new TracevaultError('ERR_LEDGER_UNAVAILABLE', {}, { cause: e });
    }
  }

  async #load(recordId: string, event: AuditEvent): Promise<StoredRecord> {
    try {
      return await this.vault.registry.get(recordId);
    } catch (e) {
      if (e instanceof TracevaultError && (e.code === 'ERR_NOT_FOUND' || e.code === 'ERR_ERASED')) await this.#refuse({ ...event, outcome: 'denied' }, new TracevaultError('ERR_NOT_FOUND'));
      throw e;
    }
  }

  async #relationshipsOf(principalId: string): Promise<readonly CareRelationship[]> {
    let r = this.#relationships.get(principalId);
    if (!r) {
      r = await this.#db.all<{ kind: CareRelationship['kind']; value: string }>('SELECT kind, value FROM care_relationships WHERE principal_id = ?', [principalId]);
      if (this.#relationships.size > 10_000) this.#relationships.clear();
      this.#relationships.set(principalId, r);
    }
    return r;
  }

  /** Same organisation? In the principal's care (ward, patient, district)? Consented to the principal's organisation? */
  async #standing(ctx: RequestContext, rec: StoredRecord, purpose: string | undefined): Promise<Standing> {
    const p = ctx.principal;
    const sameOrg = p.orgId !== null && p.orgId === rec.orgId;
    const rels = await this.#relationshipsOf(p.id);
    let inCare = false;
    for (const r of rels) {
      if (r.kind === 'patient' && r.value === rec.id) inCare = true;
      else if (r.kind === 'ward' && sameOrg && rec.current.get('ward')?.value === r.value) inCare = true;
      else if (r.kind === 'district') {
        const address = rec.current.get('address')?.value;
        if (typeof address === 'string' && (splitAddress(address).district === r.value)) inCare = true;
        else if (rec.orgId && (await this.vault.organisation(rec.orgId))?.region === r.value) inCare = true;
      }
    }
    const wardsOnly = rels.some((r) => r.kind === 'ward' || r.kind === 'patient');
    let consented = false;
    if (p.orgKind === 'partner' && p.orgId) {
      consented = !!(await this.#db.get('SELECT 1 AS x FROM consents WHERE record_seq = ? AND org_id = ? AND purpose = ?', [rec.seq, p.orgId, 'partner_contact']));
    }
    return { purpose, sameOrg, inCare, consented, outsideCare: sameOrg && wardsOnly && !inCare };
  }

  async #guardCheck(ctx: RequestContext, base: AuditEvent, purpose: string | undefined, rec: StoredRecord, standing: Standing, clear: boolean, justified: boolean): Promise<void> {
    const p = ctx.principal;
    const at = this.#now();
    if (this.guard.needsHistory(p.id, at)) {
      const since = new Date(at.getTime() - 28 * 86_400_000).toISOString();
      const today = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
      const history = await clearHistory(this.#db, p.id, since, today);
      const normal = Math.max(0, ...[...history.days].filter(([d]) => d !== today).map(([, n]) => n));
      this.guard.start(p.id, at, { normal, today: history.today });
    }
    const name = rec.current.get('motherName')?.value ?? rec.current.get('ownerName')?.value ?? rec.current.get('babyName')?.value;
    const verdict = this.guard.check({
      principalId: p.id, peerGroup: `${p.orgId}|${[...p.roles].sort().join(',')}`, at, recordSeq: rec.seq, nameKey: typeof name === 'string' ? name : undefined,
      clear, justified, poison: this.#poison.has(this.vault.registry.recordRef(rec.id)), outsideCare: standing.outsideCare,
    });
    if (verdict.alerts.length > 0 || verdict.action !== 'allow') {
      const alertIds = await this.#ledgerOrFail(async (tx, events) => this.#writeAlerts(tx, events, ctx, verdict.alerts, verdict.action === 'block'));
      if (verdict.action === 'block') await this.#refuse({ ...base, purpose, outcome: 'blocked', detail: { alerts: alertIds.join(',') } }, new TracevaultError('ERR_GUARD_BLOCKED', { rules: verdict.alerts.map((a) => a.rule) }));
      if (verdict.action === 'justify') await this.#refuse({ ...base, purpose, outcome: 'denied' }, new TracevaultError('ERR_JUSTIFICATION_REQUIRED', { rules: verdict.alerts.map((a) => a.rule) }));
    }
  }

  async #writeAlerts(tx: Db, events: AuditEvent[], ctx: RequestContext, alerts: readonly GuardAlert[], block: boolean): Promise<string[]> {
    const at = this.#now().toISOString();
    const ids: string[] = [];
    for (const a of alerts) {
      const id = newId('a');
      ids.push(id);
      await tx.run('INSERT INTO alerts (id, tenant_id, at, principal_id, rule, action, detail) VALUES (?, ?, ?, ?, ?, ?, ?)', [id, this.vault.tenantId, at, ctx.principal.id, a.rule, a.action, JSON.stringify(a.detail)]);
      events.push({ ...this.#entry(ctx), action: 'alert', outcome: 'ok', detail: { alert: id, rule: a.rule, response: a.action } });
      if (block && a.action === 'block') {
        await tx.run('INSERT INTO guard_blocks (principal_id, tenant_id, since, rule, alert_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [ctx.principal.id, this.vault.tenantId, at, a.rule, id]);
      }
    }
    return ids;
  }

  /**
   * Commits a read: its disclosure (when clear values leave) and its ledger entry, in one
   * transaction, before anything is returned. Returns the disclosure id.
   */
  async #commitRead(
    ctx: RequestContext, event: AuditEvent, purpose: string | undefined, items: readonly DisclosedItem[], justification: string | undefined,
    opts: { channel?: 'api' | 'export'; exportId?: string; always?: boolean; disclosureId?: string; fingerprint?: string; extra?: (tx: Db) => Promise<void> } = {},
  ): Promise<string | undefined> {
    return this.#ledgerOrFail(async (tx, events) => {
      let disclosureId: string | undefined;
      if (items.length > 0 || opts.always) {
        disclosureId = await recordDisclosure(tx, {
          tenantId: this.vault.tenantId, principalId: ctx.principal.id, orgId: ctx.principal.orgId, purpose: purpose ?? '', channel: opts.channel ?? 'api',
          at: this.#now().toISOString(), requestId: ctx.requestId, exportId: opts.exportId, justificationSealed: justification ? this.#sealJustification(ctx.principal.id, justification) : undefined, items,
          fingerprint: opts.fingerprint,
        }, opts.disclosureId);
        await opts.extra?.(tx);
      }
      events.push({ ...event, disclosureId });
      return disclosureId;
    });
  }

  /**
   * A justification sealed under a key derived from the tenant's index key (it is not a record
   * value). One principal's repeated text is sealed once and its ciphertext reused (a new seal costs
   * more than the rest of the disclosure's row): the database then shows which of that principal's
   * disclosures share a justification, never what it says.
   */
  #sealJustification(principalId: string, text: string): Buffer {
    const kept = text.slice(0, 2000);
    const key = `${principalId}\0${kept}`;
    let sealed = this.#justifications.get(key);
    if (!sealed) {
      this.#justificationKey ??= this.vault.keys.keyedId('justification-key', 'v1');
      sealed = seal(this.#justificationKey, Buffer.from(kept, 'utf8'), JUSTIFICATION_AAD);
      if (this.#justifications.size >= 1000) this.#justifications.clear();
      this.#justifications.set(key, sealed);
    }
    return sealed;
  }
}

export interface StatsResult {
  readonly groupBy: StatsDimension;
  readonly recordType: string;
  readonly minCell: number;
  readonly total: number | null;
  readonly cells: { value: string; count: number | null; suppressed: boolean }[];
}

function ledgerAction(action: Action): AuditEvent['action'] {
  switch (action) {
    case 'aggregate': return 'aggregate';
    case 'approve': return 'approve';
    case 'export': return 'export.request';
    case 'manage_policy': return 'policy.change';
    case 'hash_identifier': return 'identifier.hash';
    case 'collect': return 'collect';
    case 'update': return 'update';
    case 'erase': return 'erase';
    case 'administer': return 'principal.create';
    case 'trace': return 'trace';
    default: return 'read';
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

