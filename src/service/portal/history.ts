/**
 * What a guardian sees of its own children in the parents' portal (issue 21, part 2): the children
 * it enrolled for, each record as the portal shows it (masked), and every ledger entry about the
 * record — collected, changed, read, revealed, exported, shown to a partner, consents, copies,
 * erasure, the family's own visits — each with its ledger index, its leaf input and an inclusion
 * proof to the latest checkpoint, which the browser checks itself against the keys pinned in the
 * page (web/src/proof/); and an offline receipt (c2sp tlog-proof) for any one of them.
 *
 * Scope: only the guardian's own children, found in its own list before anything else is looked
 * at; any other id — another family's or none at all — is one answer, ERR_NOT_FOUND, after the
 * same work, and the refusal's ledger entry names no record (an id from a URL enters the ledger
 * only once it is known to be the guardian's). Reading a child's record in the portal is itself a
 * read of personal data, masked, and is a ledger entry about the record like any other: it shows in
 * the history.
 *
 * Who is shown: the organisation, its kind, the ward and the role (the roles the entry names); the
 * staff member's name only where the organisation's publication policy says so (policy as data:
 * portal_publication, default off). Free text never: purposes are the registry's names with their
 * legal basis.
 */
import { TracevaultError } from '../../errors.ts';
import { PURPOSES } from '../../access/purposes.ts';
import { renderRecord, type FieldDecision } from '../../disclose/render.ts';
import type { Ledger } from '../../ledger/log.ts';
import { leafInput, receiptFor } from '../../ledger/log.ts';
import { cosignedCheckpoint } from '../../ledger/witness-client.ts';
import type { FieldValue } from '../../schema/field-kind.ts';
import { recordType } from '../../schema/record-type.ts';
import type { AuditEvent } from '../../store/audit.ts';
import type { GuardianChild, Relation } from '../../store/repos/guardians.ts';
import { RecordHistoryRepo, type ActorInfo } from '../../store/repos/record-history.ts';
import type { StoredRecord } from '../../store/registry.ts';
import { entryOf, type RequestContext } from '../context.ts';
import type { Gate } from '../gate.ts';
import type { GuardianAccess } from './guardian-access.ts';
import { GUARDIAN_ROLE, guardianEntry, ownChild, type GuardianContext } from './guardian-context.ts';

/** At most this many entries, newest first, in one answer. */
export const HISTORY_LIMIT = 500;

/** What a family can recognise its child by, masked: the name, the birth date, the hospital. */
export interface ChildLabel {
  readonly name: string | null;
  readonly birthDate: string | null;
  readonly hospital: string | null;
}

export interface ChildSummary {
  readonly id: string;
  readonly relation: Relation;
  readonly enrolledAt: string;
  /** The record was erased (its key destroyed): no label any more, its history remains. */
  readonly erased: boolean;
  readonly erasedAt: string | null;
  readonly label: ChildLabel;
}

export interface ChildRecord extends ChildSummary {
  readonly recordType: string;
  readonly createdAt: string;
  /** Every field the record holds, masked (public fields as they are). */
  readonly fields: Record<string, FieldValue>;
}

export type AccessKind =
  | 'collected'
  | 'changed'
  | 'read'
  | 'revealed'
  | 'exported'
  | 'partner'
  | 'consent_given'
  | 'consent_withdrawn'
  | 'copied'
  | 'erased'
  | 'invitation'
  | 'enrolled'
  | 'portal_read'
  | 'call_registered'
  | 'call_checked'
  | 'call_reported'
  | 'request_made'
  | 'request_decided'
  | 'consents_listed'
  | 'notice_issued'
  | 'other';

export interface AccessEntry {
  /** The entry's ledger index (leaf index: the entry's sequence number − 1). */
  readonly index: number;
  readonly at: string;
  readonly kind: AccessKind;
  /** The ledger's own action. */
  readonly action: string;
  readonly outcome: 'ok' | 'denied' | 'blocked' | 'error';
  readonly who: {
    readonly kind: 'staff' | 'guardian' | 'system';
    /** This guardian itself (a `guardian` entry of its own). */
    readonly you: boolean;
    readonly role: string | null;
    readonly organization: string | null;
    readonly organizationKind: string | null;
    readonly ward: string | null;
    readonly staffName: string | null;
  };
  readonly fields: readonly string[];
  readonly purpose: string | null;
  readonly legalBasis: string | null;
  /** The entry's leaf input (base64): its leaf hash is what the proof proves. */
  readonly leaf: string;
  /** Base64 hashes to the answer's checkpoint; null while no checkpoint covers the entry yet. */
  readonly proof: readonly string[] | null;
}

export interface AccessHistory {
  readonly childId: string;
  /** The latest checkpoint, signed, with its witnesses' cosignatures; null before the first. */
  readonly checkpoint: string | null;
  readonly size: number;
  /** More, older entries: ask again with `before` the last entry's index. */
  readonly truncated: boolean;
  readonly entries: readonly AccessEntry[];
}

/** The roles a member of staff is shown as, most specific first (a principal may hold several). */
const SHOWN_ROLES = [
  'vaccination_nurse',
  'clinician',
  'records_clerk',
  'partner',
  'investigator',
  'dpo',
  'auditor',
  'administrator',
];

const MASKED: FieldDecision = { view: true, reveal: false };

function kindOf(e: AuditEvent, partner: boolean): AccessKind {
  // As a string: actions of other parts of the portal (rights requests) are mapped here too.
  switch (e.action as string) {
    case 'collect':
      return 'collected';
    case 'update':
      return 'changed';
    case 'read':
      return e.roles === GUARDIAN_ROLE ? 'portal_read' : partner ? 'partner' : 'read';
    case 'rights.list':
      // Staff read the family's request (what it asked to correct, and why).
      return 'read';
    case 'due_list':
      // A vaccination clinic listed the child, masked, on its due list (service/due-lists.ts).
      return 'read';
    case 'policy.preview':
      // A DPO checked a policy change against the record (its ward and district decided, no value shown).
      return 'read';
    case 'reveal':
      return partner ? 'partner' : 'revealed';
    case 'export':
      return 'exported';
    case 'consent.grant':
      return 'consent_given';
    case 'consent.withdraw':
      return 'consent_withdrawn';
    case 'rights.copy':
      return 'copied';
    case 'erase':
      return 'erased';
    case 'invitation.issue':
      return 'invitation';
    case 'guardian.enrol':
      return 'enrolled';
    case 'call.register':
      return 'call_registered';
    case 'call.verify':
      return 'call_checked';
    case 'call.report':
      return 'call_reported';
    case 'rights.request':
      return 'request_made';
    case 'rights.decide':
      return 'request_decided';
    case 'consent.list':
      return 'consents_listed';
    case 'notice.issue':
      return 'notice_issued';
    default:
      return 'other';
  }
}

export class PortalHistory {
  readonly #gate: Gate;
  readonly #access: GuardianAccess;
  readonly #ledger: Ledger | undefined;
  readonly #repo: RecordHistoryRepo;

  constructor(gate: Gate, access: GuardianAccess, ledger: Ledger | undefined) {
    this.#gate = gate;
    this.#access = access;
    this.#ledger = ledger;
    this.#repo = new RecordHistoryRepo(gate.vault.db, gate.vault.tenantId);
  }

  /** `GET /v1/portal/children`: the guardian's children, each with a masked label (a read of each, in the ledger). */
  async children(g: GuardianContext): Promise<ChildSummary[]> {
    const gate = this.#gate;
    const out: { child: GuardianChild; rec: StoredRecord | undefined }[] = [];
    for (const child of await this.#access.children(g)) {
      // An erased child stays in the list, marked, with no label: nothing of it is read any more.
      const rec = child.erasedAt === null ? await this.#record(child.recordId) : undefined;
      if (rec || child.erasedAt !== null) out.push({ child, rec });
    }
    const read = out.flatMap(({ rec }) => (rec ? [rec] : []));
    if (read.length > 0) {
      await gate.commit(async (_tx, events) => {
        for (const rec of read) events.push(this.#readEntry(g, rec.id, 'label'));
      });
    }
    return out.map(({ child, rec }) => (rec ? summary(child, rec) : erasedSummary(child)));
  }

  /** `GET /v1/portal/children/{id}`: the record as the portal shows it, masked; a read in the ledger. */
  async child(g: GuardianContext, id: string): Promise<ChildRecord> {
    const child = await this.#own(g, id);
    // Its own child erased: ERR_ERASED (the same for each of its guardians), a refusal in the
    // ledger naming no record, so that the child's history still ends with its erasure.
    if (child.erasedAt !== null) return this.#refuse(g, 'ERR_ERASED');
    const rec = await this.#record(child.recordId);
    if (!rec) return this.#refuse(g);
    const type = recordType(rec.recordType);
    const rendered = renderRecord(
      type,
      rec.seq,
      rec.current,
      new Map(type.fields.map((f) => [f.name, MASKED])),
      new Set(),
    );
    await this.#gate.commit(async (_tx, events) => {
      events.push(this.#readEntry(g, rec.id, 'record'));
    });
    return {
      ...summary(child, rec),
      recordType: rec.recordType,
      createdAt: rec.createdAt,
      fields: rendered.fields,
    };
  }

  /**
   * `GET /v1/portal/children/{id}/accesses[?before=I]`: the ledger entries about the record, newest
   * first, with their proofs; `before`, the next page: the entries of ledger index below I.
   */
  async accesses(g: GuardianContext, id: string, before?: number): Promise<AccessHistory> {
    const child = await this.#own(g, id);
    const gate = this.#gate;
    const ref = gate.ref(child.recordId);
    // The checkpoint first (the latest cosigned): every entry it covers gets a proof to it; later
    // ones wait for the next.
    const size = this.#ledger ? await this.#repo.checkpointSize() : 0;
    const checkpoint = size > 0 ? ((await cosignedCheckpoint(gate.vault.db, size)) ?? null) : null;
    const rows = await this.#repo.entries(ref, HISTORY_LIMIT + 1, before === undefined ? undefined : before + 1);
    const truncated = rows.length > HISTORY_LIMIT;
    const parsed = rows.slice(0, HISTORY_LIMIT).map((r) => ({ row: r, e: JSON.parse(r.entry) as AuditEvent }));
    const staff = [...new Set(parsed.filter((p) => p.e.roles !== GUARDIAN_ROLE).map((p) => p.e.principalId))];
    const actors = await this.#repo.actors(staff);
    const orgIds = [...new Set(parsed.map((p) => p.e.organisationId).filter((o): o is string => !!o))];
    const orgs = await this.#repo.organisations(orgIds);
    const entries: AccessEntry[] = [];
    for (const { row, e } of parsed) {
      const index = Number(row.seq) - 1;
      const proof =
        checkpoint && this.#ledger && index < size
          ? (await this.#ledger.inclusionProof(index, size)).map((h) => h.toString('base64'))
          : null;
      entries.push({
        ...describe(e, g.guardian.id, actors.get(e.principalId), orgs),
        index,
        at: row.at,
        leaf: leafInput({ ...row, seq: Number(row.seq) }).toString('base64'),
        proof,
      });
    }
    return { childId: child.recordId, checkpoint, size: checkpoint ? size : 0, truncated, entries };
  }

  /** `GET /v1/portal/children/{id}/accesses/{index}/receipt`: an entry about the child, as a c2sp tlog-proof. */
  async receipt(g: GuardianContext, id: string, index: number): Promise<string> {
    const child = await this.#own(g, id);
    if (!this.#ledger || !(await this.#repo.isAbout(this.#gate.ref(child.recordId), index + 1)))
      throw new TracevaultError('ERR_NOT_FOUND');
    return receiptFor(this.#gate.vault.db, this.#ledger, index);
  }

  /**
   * An organisation's publication policy (a DPO's or an administrator's decision, in the ledger as a
   * policy change): whether families see its staff members' names in their history.
   */
  async publishStaffNames(ctx: RequestContext, orgId: string, staffNames: boolean): Promise<void> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'policies' });
    if (!(await this.#repo.organisations([orgId])).has(orgId)) throw new TracevaultError('ERR_NOT_FOUND');
    await gate.commit(async (tx, events) => {
      await this.#repo.setPublication(tx, orgId, staffNames, gate.now().toISOString(), ctx.principal.id);
      events.push({
        ...entryOf(ctx),
        action: 'policy.change',
        outcome: 'ok',
        detail: { organisation: orgId, portalStaffNames: staffNames },
      });
    });
  }

  /**
   * The guardian's own child of this id, compared with every one of its children alike; else the
   * refusal (a ledger entry naming no record) and ERR_NOT_FOUND.
   */
  async #own(g: GuardianContext, id: string): Promise<GuardianChild> {
    return ownChild(await this.#access.children(g), id) ?? this.#refuse(g);
  }

  async #refuse(g: GuardianContext, code: 'ERR_NOT_FOUND' | 'ERR_ERASED' = 'ERR_NOT_FOUND'): Promise<never> {
    const detail: Record<string, string> =
      code === 'ERR_ERASED' ? { via: 'portal', rule: 'erased' } : { via: 'portal' };
    return this.#gate.refuse(
      { ...guardianEntry(g), action: 'read', outcome: 'denied', detail },
      new TracevaultError(code),
    );
  }

  async #record(recordId: string): Promise<StoredRecord | undefined> {
    try {
      return await this.#gate.vault.registry.get(recordId);
    } catch (e) {
      if (e instanceof TracevaultError && (e.code === 'ERR_NOT_FOUND' || e.code === 'ERR_ERASED')) return undefined;
      throw e;
    }
  }

  #readEntry(g: GuardianContext, recordId: string, view: 'label' | 'record'): AuditEvent {
    return {
      ...guardianEntry(g),
      action: 'read',
      recordRef: this.#gate.ref(recordId),
      purpose: 'data_subject_request',
      outcome: 'ok',
      detail: { via: 'portal', view },
    };
  }
}

function summary(child: GuardianChild, rec: StoredRecord): ChildSummary {
  const type = recordType(rec.recordType);
  const masked = renderRecord(
    type,
    rec.seq,
    rec.current,
    new Map(type.fields.map((f) => [f.name, MASKED])),
    new Set(),
  ).fields;
  const text = (f: string) => {
    const v = masked[f];
    return typeof v === 'string' ? v : null;
  };
  const birth = text('birthTime');
  return {
    id: child.recordId,
    relation: child.relation,
    enrolledAt: child.enrolledAt,
    erased: false,
    erasedAt: null,
    label: { name: text('babyName'), birthDate: birth ? birth.slice(0, 10) : null, hospital: text('hospital') },
  };
}

/** An erased child in the list: its id, how and when the guardian enrolled, when it was erased. */
function erasedSummary(child: GuardianChild): ChildSummary {
  return {
    id: child.recordId,
    relation: child.relation,
    enrolledAt: child.enrolledAt,
    erased: true,
    erasedAt: child.erasedAt,
    label: { name: null, birthDate: null, hospital: null },
  };
}

function describe(
  e: AuditEvent,
  guardianId: string,
  actor: ActorInfo | undefined,
  orgs: ReadonlyMap<string, { name: string; kind: string }>,
): Omit<AccessEntry, 'index' | 'at' | 'leaf' | 'proof'> {
  const roles = (e.roles ?? '').split(',').filter(Boolean);
  const guardian = e.roles === GUARDIAN_ROLE;
  const org = e.organisationId ? orgs.get(e.organisationId) : undefined;
  const organizationKind = actor?.organisationKind ?? org?.kind ?? null;
  const known = e.purpose ? PURPOSES.get(e.purpose) : undefined;
  return {
    kind: kindOf(e, organizationKind === 'partner'),
    action: e.action,
    outcome: e.outcome ?? 'ok',
    who: {
      kind: guardian ? 'guardian' : actor || roles.length > 0 ? 'staff' : 'system',
      you: guardian && e.principalId === guardianId,
      role: guardian ? GUARDIAN_ROLE : (SHOWN_ROLES.find((r) => roles.includes(r)) ?? roles[0] ?? null),
      organization: guardian ? null : (actor?.organisation ?? org?.name ?? null),
      organizationKind: guardian ? null : organizationKind,
      ward: guardian ? null : (actor?.ward ?? null),
      staffName: guardian ? null : (actor?.publishedName ?? null),
    },
    fields: e.fields ? [...e.fields] : [],
    purpose: known?.name ?? null,
    legalBasis: known?.legalBasis ?? null,
  };
}
