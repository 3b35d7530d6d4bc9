/**
 * The administrator's directory (issue 22): the organisations, the principals with their status and
 * care relationships, changing a principal's relationships, and disabling a principal (ADR 0025).
 * An administrator outside the operator sees and acts on its own organisation only (enrolments.ts
 * `inReach`); a principal out of reach is ERR_NOT_FOUND, as one that does not exist.
 *
 * Disabling keeps the principal for the record — the ledger and every access history name it — and
 * takes everything it could act with: its API token, its password, its sessions, an enrolment it was
 * waiting for; refused thereafter with 401 like any unknown token. In this process that holds at
 * once (`onDisabled` drops it from the authentication cache, sessions.ts); another process of the
 * same vault may still accept a token it authenticated within its cache's 5 seconds. An administrator
 * never disables itself, nor the last active administrator (the vault would have no one to administer
 * it). Both refusals and the disabling are ledger entries.
 */
import { TracevaultError } from '../errors.ts';
import { isDistrictCode } from '../schema/address-district.ts';
import { lockUntilCommit } from '../store/dialect/locks.ts';
import {
  DirectoryRepo,
  type DirectoryPrincipal,
  type OrganisationRow,
  type PrincipalStatus,
} from '../store/repos/directory.ts';
import type { CareRelationship } from '../store/vault.ts';
import { entryOf, type RequestContext } from './context.ts';
import { Enrolments, inReach } from './enrolments.ts';
import type { Gate } from './gate.ts';

export interface PrincipalQuery {
  readonly organizationId?: string;
  readonly status?: PrincipalStatus;
  readonly role?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface PrincipalPage {
  readonly principals: DirectoryPrincipal[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export class Administration {
  readonly #gate: Gate;
  readonly #repo: DirectoryRepo;
  readonly #enrolments: Enrolments;
  readonly #onDisabled: (principalId: string) => void;

  /** `onDisabled`: called once a principal is disabled (the authentication cache forgets it). */
  constructor(gate: Gate, onDisabled: (principalId: string) => void = () => undefined) {
    this.#gate = gate;
    this.#repo = new DirectoryRepo(gate.vault.db, gate.vault.tenantId);
    this.#enrolments = new Enrolments(gate);
    this.#onDisabled = onDisabled;
  }

  /** The organisations (an administrator outside the operator: its own). */
  async organisations(ctx: RequestContext): Promise<OrganisationRow[]> {
    await this.#gate.authorise(ctx, 'administer', { type: 'Api', area: 'organisations' });
    return this.#repo.organisations(this.#own(ctx));
  }

  /** A page of principals, never a credential. */
  async principals(ctx: RequestContext, q: PrincipalQuery): Promise<PrincipalPage> {
    await this.#gate.authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    const own = this.#own(ctx);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    // Another organisation asked for by one outside the operator: nothing of it is shown.
    if (own !== undefined && q.organizationId !== undefined && q.organizationId !== own)
      return { principals: [], total: 0, limit, offset };
    const { rows, total } = await this.#repo.principals({
      orgId: own ?? q.organizationId,
      status: q.status,
      role: q.role,
      limit,
      offset,
    });
    return { principals: rows, total, limit, offset };
  }

  /** One principal in reach, or ERR_NOT_FOUND. */
  async principal(ctx: RequestContext, id: string): Promise<DirectoryPrincipal> {
    await this.#gate.authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    return this.#inReach(ctx, id);
  }

  /**
   * Replaces a principal's care relationships (wards, patients, districts). Dual control holds: a
   * principal created without a second administrator (its creator received its token) never gains
   * relationships that would let it act on records (`403`, rule `dualControl`).
   */
  async setRelationships(
    ctx: RequestContext,
    id: string,
    rels: readonly CareRelationship[],
  ): Promise<DirectoryPrincipal> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    const p = await this.#inReach(ctx, id);
    if (p.status === 'disabled') throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
    // A district is where children live, by its GB/T 2260 county code (directory.ts).
    if (rels.some((r) => r.kind === 'district' && !isDistrictCode(r.value)))
      throw new TracevaultError('ERR_INVALID_FIELD', { field: 'relationships', rule: 'districtCode' });
    const base = { ...entryOf(ctx), action: 'principal.relationships', detail: { principal: id } } as const;
    const who = { roles: p.roles, orgKind: p.orgKind };
    const before = await this.#enrolments.needsApproval({ ...who, displayName: '', relationships: p.relationships });
    const after = await this.#enrolments.needsApproval({ ...who, displayName: '', relationships: rels });
    if (!before && after)
      await gate.refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_FORBIDDEN', { rule: 'dualControl' }));
    await gate.commit(async (tx, events) => {
      await this.#repo.replaceRelationships(tx, id, rels);
      // Kinds and counts only: a patient relationship names a record, which the ledger never names.
      const count = (k: CareRelationship['kind']) => rels.filter((r) => r.kind === k).length;
      events.push({
        ...base,
        outcome: 'ok',
        detail: { principal: id, ward: count('ward'), patient: count('patient'), district: count('district') },
      });
    });
    gate.forgetRelationships(id);
    return (await this.#repo.principal(id))!;
  }

  /** Disables a principal (see the module's comment). */
  async disable(ctx: RequestContext, id: string): Promise<DirectoryPrincipal> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    const p = await this.#inReach(ctx, id);
    const base = { ...entryOf(ctx), action: 'principal.disable', detail: { principal: id } } as const;
    if (id === ctx.principal.id)
      await gate.refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_FORBIDDEN', { rule: 'self' }));
    if (p.status === 'disabled') throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
    const at = gate.now().toISOString();
    const outcome = await gate.commit(async (tx, events) => {
      // Two administrators disabling each other at once must not both succeed: the ledger's lock,
      // taken now rather than when the entry is appended, makes them take turns (PostgreSQL).
      await lockUntilCommit(tx, 'auditSequencer');
      if (p.roles.includes('administrator') && (await this.#repo.otherActiveAdministrators(tx, id)) === 0)
        return 'last' as const;
      const r = await this.#repo.disable(tx, id, at);
      if (!r.disabled) return 'already' as const;
      events.push({ ...base, outcome: 'ok', detail: { principal: id, sessions: r.sessions } });
      return 'ok' as const;
    });
    if (outcome === 'last')
      await gate.refuse(
        { ...base, outcome: 'denied', detail: { principal: id, rule: 'lastAdministrator' } },
        new TracevaultError('ERR_CONFLICT', { rule: 'lastAdministrator' }),
      );
    if (outcome === 'already') throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
    this.#onDisabled(id);
    gate.forgetRelationships(id);
    return (await this.#repo.principal(id))!;
  }

  /** The organisation an administrator outside the operator is bound to (undefined: the operator's, all). */
  #own(ctx: RequestContext): string | undefined {
    return ctx.principal.orgKind === 'operator' ? undefined : (ctx.principal.orgId ?? '');
  }

  async #inReach(ctx: RequestContext, id: string): Promise<DirectoryPrincipal> {
    const p = await this.#repo.principal(id);
    if (!p || !inReach(ctx, p.orgId)) throw new TracevaultError('ERR_NOT_FOUND');
    return p;
  }
}
