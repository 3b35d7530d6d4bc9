/**
 * Guardians' rights requests (PIPL arts. 44–47; a guardian acts for a child under 14, art. 31):
 * a copy of the child's record, a correction, a restriction of its processing, its erasure.
 *
 * - A guardian asks about one of its own children (guardian_children is the scope): any other id,
 *   another family's or none at all, is the same ERR_NOT_FOUND. A correction names the fields and
 *   their corrected values (`fields: {motherPhone: "139…"}`), checked by the record type's validators
 *   at once. What the parent wrote is sealed (never in clear in the database, never in the ledger or
 *   a log); every request has its deadline (requests-deadline.ts) and is a ledger entry
 *   (`rights.request`, kind and field names only).
 * - A copy is answered at once: the child's record, every version, through `copy` (a disclosure to
 *   the guardian, fingerprinted like any reveal, a `rights.copy` entry).
 * - The record's organisation decides corrections and restrictions (its staff who may change the
 *   record, or a data-protection officer of the registry); erasure is decided by a DPO only
 *   (the policy's `erase`). Staff of another organisation neither see nor decide: ERR_NOT_FOUND.
 *   Every decision is a `rights.decide` entry. Accepted: a correction becomes new versions through
 *   the registry's update (its own `update` entry, in the same transaction); a restriction means
 *   that only the `treatment` purpose may reveal (records.ts, ERR_RESTRICTED); an erasure destroys
 *   the record's key (registry.ts erase: crypto-shredding; its ledger entries remain). Refused: the
 *   reason is what the parent sees.
 */
import { TracevaultError } from '../errors.ts';
import { aad } from '../crypto/aead.ts';
import { newTimeOrderedId } from '../crypto/ids.ts';
import type { FieldValue } from '../schema/field-kind.ts';
import { recordType, validateRecord } from '../schema/record-type.ts';
import { recordDisclosure } from '../disclose/disclosure.ts';
import { API_MARKED_KINDS, markRow, PRINCIPAL_SCHEME } from '../disclose/marks.ts';
import { GuardianRepo } from '../store/repos/guardians.ts';
import { RequestRepo, type RequestKind, type RequestRow, type RequestStatus } from '../store/repos/requests.ts';
import { actorOf, entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import type { ServiceKeys } from './keys.ts';
import { guardianEntry, liveChild, ownChild, type GuardianContext } from './portal/guardian-context.ts';
import { RateLimiter } from './portal/rate-limit.ts';
import { requestDeadline } from './requests-deadline.ts';

export const REQUEST_KINDS: readonly RequestKind[] = ['copy', 'correction', 'restriction', 'erasure'];
/** The purpose every processing of a rights request is done for (access/purposes.ts). */
export const RIGHTS_PURPOSE = 'data_subject_request';
/** The only purpose that may reveal a restricted record's values (issue 21 §5). */
export const RESTRICTED_PURPOSE = 'treatment';
/** Who decides a copy: nobody, it is answered at once. */
export const AUTOMATIC = 'system';

/** Roles that act for the record's organisation on a request (with the policy's `update`). */
const ORG_ROLES = ['clinician', 'records_clerk', 'vaccination_nurse'];
const SEAL_AAD = 'tracevault-rights-request';
/** Requests a guardian may make in a day (each is work for staff and a row that is never deleted). */
export const REQUESTS_PER_DAY = 10;
/** Copies a guardian may take in an hour (each decrypts every version, renders, and is a disclosure). */
export const COPIES_PER_HOUR = 20;
const DAY = 86_400_000;

export interface NewRequest {
  readonly childId: string;
  readonly kind: RequestKind;
  /** A correction: the fields and their corrected values. */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly reason?: string;
}

/** A request as its guardian sees it. */
export interface RequestView {
  readonly id: string;
  readonly childId: string;
  readonly kind: RequestKind;
  readonly status: RequestStatus;
  readonly createdAt: string;
  readonly deadline: string;
  readonly fields: Record<string, FieldValue> | null;
  readonly reason: string | null;
  readonly decision: 'accept' | 'refuse' | null;
  /** The reason given with the decision (what the parent sees of a refusal). */
  readonly answer: string | null;
  readonly decidedAt: string | null;
}

/** A request as the organisation's staff see it: the record by id, and whether it is late. */
export interface StaffRequestView extends Omit<RequestView, 'childId'> {
  readonly recordId: string;
  readonly overdue: boolean;
}

interface Sealed {
  readonly fields?: Record<string, FieldValue>;
  readonly reason?: string;
}

export interface RecordCopy {
  readonly childId: string;
  readonly recordType: string;
  readonly organizationId: string | null;
  readonly createdAt: string;
  readonly generatedAt: string;
  readonly disclosureId: string;
  readonly versions: {
    readonly field: string;
    readonly version: number;
    readonly value: FieldValue;
    readonly validFrom: string;
    readonly validTo: string | null;
    readonly recordedAt: string;
  }[];
}

export class RightsRequests {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #repo: RequestRepo;
  readonly #guardians: GuardianRepo;
  readonly #copies = new RateLimiter({ limit: COPIES_PER_HOUR, windowMs: 3_600_000 });
  #sealKey: Buffer | undefined;

  constructor(gate: Gate, keys: ServiceKeys) {
    const { db, tenantId } = gate.vault;
    this.#gate = gate;
    this.#keys = keys;
    this.#repo = new RequestRepo(db, tenantId);
    this.#guardians = new GuardianRepo(db, tenantId);
  }

  /** `POST /v1/portal/requests`: a request about one of the guardian's own children. */
  async submit(g: GuardianContext, input: NewRequest): Promise<RequestView> {
    const gate = this.#gate;
    const child = await this.#child(g, input.childId);
    const secret: { fields?: Record<string, FieldValue>; reason?: string } = {};
    if (input.kind === 'correction') {
      const rec = await gate.vault.registry.get(child.recordId);
      secret.fields = this.#corrected(rec.recordType, input.fields);
    } else if (input.fields !== undefined) {
      throw new TracevaultError('ERR_BAD_REQUEST', { field: 'fields' });
    }
    const reason = input.reason?.trim();
    if (reason) secret.reason = reason;
    const id = newTimeOrderedId('rq');
    const now = gate.now();
    const at = now.toISOString();
    const deadline = requestDeadline(now);
    const automatic = input.kind === 'copy';
    const since = new Date(now.getTime() - DAY).toISOString();
    await gate.commit(async (tx, events) => {
      // After the child check: another family's id and none stay one answer, whatever the count.
      if ((await this.#repo.countSince(g.guardian.id, since, tx)) >= REQUESTS_PER_DAY)
        throw new TracevaultError('ERR_RATE_LIMITED');
      await this.#repo.insert(tx, {
        id,
        recordSeq: child.recordSeq,
        guardianId: g.guardian.id,
        kind: input.kind,
        status: automatic ? 'accepted' : 'pending',
        at,
        deadline,
        sealed: this.#seal(id, 'request', secret),
        ...(automatic && { decidedBy: AUTOMATIC }),
      });
      events.push({
        ...guardianEntry(g),
        action: 'rights.request',
        recordRef: gate.ref(child.recordId),
        purpose: RIGHTS_PURPOSE,
        outcome: 'ok',
        ...(secret.fields && { fields: Object.keys(secret.fields) }),
        detail: { request: id, kind: input.kind, deadline },
      });
    });
    return this.#guardianView((await this.#repo.get(id))!);
  }

  /** `GET /v1/portal/requests`: the guardian's own requests, newest first. */
  async mine(g: GuardianContext): Promise<RequestView[]> {
    return (await this.#repo.ofGuardian(g.guardian.id)).map((r) => this.#guardianView(r));
  }

  /**
   * `GET /v1/requests`: the requests about the records of the principal's organisation (a DPO: every
   * organisation's), and a `rights.list` entry. Anyone else: ERR_FORBIDDEN.
   */
  async list(
    ctx: RequestContext,
    opts: { status?: RequestStatus; kind?: RequestKind } = {},
  ): Promise<StaffRequestView[]> {
    const scope = this.#scope(ctx);
    if (scope === undefined) throw new TracevaultError('ERR_FORBIDDEN');
    const gate = this.#gate;
    const now = gate.now().toISOString();
    const views = (await this.#repo.ofOrganisation(scope, opts.status, opts.kind)).map((r) => this.#staffView(r, now));
    // The list holds what parents wrote (corrected values): who read it is a ledger entry, as any read,
    // about each record listed, so that it shows in those children's access history.
    await gate.commit(async (_tx, events) => {
      events.push({
        ...entryOf(ctx),
        action: 'rights.list',
        purpose: RIGHTS_PURPOSE,
        outcome: 'ok',
        detail: {
          count: views.length,
          ...(opts.status && { status: opts.status }),
          ...(opts.kind && { kind: opts.kind }),
        },
        covers: views.map((v) => gate.ref(v.recordId)),
      });
    });
    return views;
  }

  /** `POST /v1/requests/{id}/decide`: accept or refuse a pending request (see the module's comment). */
  async decide(
    ctx: RequestContext,
    id: string,
    input: { decision: 'accept' | 'refuse'; reason?: string },
  ): Promise<StaffRequestView> {
    const gate = this.#gate;
    const base = { ...entryOf(ctx), action: 'rights.decide', purpose: RIGHTS_PURPOSE } as const;
    const scope = this.#scope(ctx);
    const row = scope === undefined ? undefined : await this.#repo.get(id);
    if (!row || (scope !== null && row.recordOrgId !== scope)) {
      // Another organisation's request and no request at all: one answer.
      await gate.refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_NOT_FOUND'));
    }
    const r = row!;
    const entry = { ...base, recordRef: gate.ref(r.recordId), detail: { request: r.id, kind: r.kind } };
    if (r.status !== 'pending') {
      await gate.refuse({ ...entry, outcome: 'denied' }, new TracevaultError('ERR_CONFLICT'));
    }
    const reason = input.reason?.trim() ?? '';
    if (input.decision === 'refuse' && reason === '')
      throw new TracevaultError('ERR_MISSING_FIELD', { field: 'reason' });
    const policy = await gate.policy();
    const accepted = input.decision === 'accept';
    // Who may decide: the policy's erase for an erasure (a DPO), its update (or a DPO) for the rest.
    let decidable: boolean;
    const erased = r.kind === 'erasure' && (await this.#erased(r.recordSeq));
    if (erased) decidable = ctx.principal.roles.includes('dpo');
    else {
      const rec = await gate.load(r.recordId, entry);
      const action = r.kind === 'erasure' ? 'erase' : 'update';
      const standing = await gate.standing(ctx, rec, RIGHTS_PURPOSE);
      const resource = { type: 'Record', recordType: rec.recordType } as const;
      decidable =
        policy.allows(ctx.principal, action, resource, standing) ||
        (action === 'update' && ctx.principal.roles.includes('dpo'));
    }
    const decision = `${decidable ? 'allow' : 'deny'}@${policy.version}`;
    if (!decidable) {
      await gate.refuse({ ...entry, decision, outcome: 'denied' }, new TracevaultError('ERR_FORBIDDEN'));
    }
    const actor = actorOf(ctx, { purpose: RIGHTS_PURPOSE, decision });
    // Erasure commits on its own (the registry's erase): then the decision. Decided again after a
    // fault between the two, the record is found erased and the decision is recorded.
    if (accepted && r.kind === 'erasure' && !erased)
      await gate.committed(() => gate.vault.registry.erase(actor, r.recordId));
    const at = gate.now().toISOString();
    await gate.commit(async (tx, events) => {
      if (accepted && r.kind === 'correction') {
        const fields = this.#open(r).fields ?? {};
        const type = recordType((await gate.vault.registry.get(r.recordId, { db: tx })).recordType);
        const values = this.#validated(type.name, fields);
        await gate.vault.registry.update(actor, r.recordId, values, {}, tx);
      }
      const done = await this.#repo.decide(tx, {
        id: r.id,
        status: accepted ? 'accepted' : 'refused',
        at,
        by: ctx.principal.id,
        answerSealed: this.#seal(r.id, 'answer', reason ? { reason } : {}),
      });
      if (!done) throw new TracevaultError('ERR_CONFLICT');
      events.push({ ...entry, decision, outcome: 'ok', detail: { ...entry.detail, decision: input.decision } });
    });
    return this.#staffView((await this.#repo.get(r.id))!, at);
  }

  /**
   * `GET /v1/portal/children/{id}/copy`: the child's record, every version, for its guardian. A
   * disclosure to the guardian over the portal channel (each field at its latest version, the versions
   * before it included), its clear values marked with the guardian's codeword as any reveal is
   * (disclose/marks.ts), and a `rights.copy` entry.
   */
  async copy(g: GuardianContext, childId: string, format: 'json' | 'pdf'): Promise<RecordCopy> {
    const gate = this.#gate;
    const child = await this.#child(g, childId);
    if (!this.#copies.take(g.guardian.id, Date.now())) throw new TracevaultError('ERR_RATE_LIMITED');
    const rec = await gate.vault.registry.get(child.recordId, { history: true });
    const type = recordType(rec.recordType);
    const key = this.#keys.reveal(g.guardian.id);
    const history = rec.history ?? [...rec.current.values()];
    const versions = history.map((v) => ({
      field: v.field,
      version: v.version,
      value: markRow(type, { [v.field]: v.value }, this.#keys.code, key, API_MARKED_KINDS)[v.field] ?? v.value,
      validFrom: v.validFrom,
      validTo: v.validTo,
      recordedAt: v.recordedAt,
    }));
    const latest = new Map<string, number>();
    for (const v of history) latest.set(v.field, Math.max(v.version, latest.get(v.field) ?? 0));
    const now = gate.now().toISOString();
    const disclosureId = await gate.commit(async (tx, events) => {
      const id = await recordDisclosure(tx, {
        tenantId: gate.vault.tenantId,
        principalId: g.guardian.id,
        orgId: null,
        purpose: RIGHTS_PURPOSE,
        channel: 'portal',
        at: now,
        requestId: g.requestId,
        // One item a field (disclosure_items' key): its latest version, the copy holding every one before it.
        items: [...latest].map(([field, version]) => ({ recordSeq: rec.seq, field, version })),
        fingerprint: PRINCIPAL_SCHEME,
      });
      events.push({
        ...guardianEntry(g),
        action: 'rights.copy',
        recordRef: gate.ref(rec.id),
        purpose: RIGHTS_PURPOSE,
        fields: [...latest.keys()],
        disclosureId: id,
        outcome: 'ok',
        detail: { format, versions: history.length },
      });
      return id;
    });
    return {
      childId: rec.id,
      recordType: rec.recordType,
      organizationId: rec.orgId,
      createdAt: rec.createdAt,
      generatedAt: now,
      disclosureId,
      versions,
    };
  }

  /**
   * The guardian's own child, or ERR_NOT_FOUND (another family's id and no id at all alike); its
   * own child whose record was erased, ERR_ERASED.
   */
  async #child(g: GuardianContext, childId: string) {
    const child = ownChild(await this.#guardians.children(g.guardian.id), childId);
    if (!child) throw new TracevaultError('ERR_NOT_FOUND');
    return liveChild(child);
  }

  /** Whose requests a principal sees: its organisation's; a DPO's, all (null); anyone else none. */
  #scope(ctx: RequestContext): string | null | undefined {
    const p = ctx.principal;
    if (p.roles.includes('dpo')) return null;
    if (p.orgId && p.roles.some((r) => ORG_ROLES.includes(r))) return p.orgId;
    return undefined;
  }

  async #erased(recordSeq: number): Promise<boolean> {
    const r = await this.#gate.vault.db.get<{ erased_at: string | null }>(
      'SELECT erased_at FROM records WHERE seq = ?',
      [recordSeq],
    );
    return !!r?.erased_at;
  }

  /** A correction's fields: at least one, each a field of the record type with a valid value. */
  #corrected(typeName: string, fields: Readonly<Record<string, unknown>> | undefined): Record<string, FieldValue> {
    if (!fields || Object.keys(fields).length === 0)
      throw new TracevaultError('ERR_MISSING_FIELD', { field: 'fields' });
    return Object.fromEntries(this.#validated(typeName, fields));
  }

  #validated(typeName: string, fields: Readonly<Record<string, unknown>>): Map<string, FieldValue> {
    const v = validateRecord(recordType(typeName), fields, { now: this.#gate.now() }, true);
    if (!v.ok) throw new TracevaultError('ERR_INVALID_FIELD', { errors: v.errors });
    return new Map([...v.record.values].filter(([f]) => f in fields));
  }

  #guardianView(r: RequestRow): RequestView {
    const s = this.#open(r);
    const answer = r.answerSealed ? this.#openAnswer(r) : undefined;
    return {
      id: r.id,
      childId: r.recordId,
      kind: r.kind,
      status: r.status,
      createdAt: r.createdAt,
      deadline: r.deadline,
      fields: s.fields ?? null,
      reason: s.reason ?? null,
      decision: r.status === 'accepted' ? 'accept' : r.status === 'refused' ? 'refuse' : null,
      answer: answer?.reason ?? null,
      decidedAt: r.decidedAt,
    };
  }

  #staffView(r: RequestRow, now: string): StaffRequestView {
    const { childId, ...rest } = this.#guardianView(r);
    return { ...rest, recordId: childId, overdue: r.status === 'pending' && r.deadline < now };
  }

  #key(): Buffer {
    return (this.#sealKey ??= this.#gate.vault.keys.keyedId('rights-request-seal', 'v1'));
  }

  #seal(id: string, part: 'request' | 'answer', content: Sealed): Buffer {
    return this.#gate.vault.keys.suite.sealJson(this.#key(), content, aad(SEAL_AAD, id, part));
  }

  #open(r: RequestRow): Sealed {
    return this.#gate.vault.keys.suite.openJson<Sealed>(this.#key(), r.sealed, aad(SEAL_AAD, r.id, 'request'));
  }

  #openAnswer(r: RequestRow): Sealed {
    return this.#gate.vault.keys.suite.openJson<Sealed>(this.#key(), r.answerSealed!, aad(SEAL_AAD, r.id, 'answer'));
  }
}
