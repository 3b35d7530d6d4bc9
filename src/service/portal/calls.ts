/**
 * "Is this caller real?" Staff who phone a family register the call first; the family sees it in
 * the portal and can check a caller against it.
 *
 * - Register (`POST /v1/calls`): only a principal who may read the record (the policy's `read`, with
 *   the call's purpose when it is one of the registry's); the call keeps who calls (principal,
 *   organisation, role), the purpose, a 4-digit code to say on the phone and the calling number,
 *   for 15 minutes. A ledger entry (`call.register`) names the record by its keyed reference, the
 *   call by its id and the purpose only when it is one of the registry's: free text never enters
 *   the ledger. A blocked principal registers nothing (a stolen token must not make a scam look
 *   genuine).
 * - The guardian's side: the calls still valid to its own children, and a check of a code or a
 *   number against them alone. Nothing about another family is ever looked at, so nothing about one
 *   can be told: the answer is "genuine" with who and why, or "no registered organisation is calling
 *   you now". Each check is a ledger entry (`call.verify`): a call checked and not found is how a
 *   scam shows.
 */
import { TracevaultError } from '../../errors.ts';
import { PURPOSES } from '../../access/purposes.ts';
import { newId } from '../../crypto/ids.ts';
import { normaliseMobile } from '../../schema/mobile.ts';
import { CallRepo, type CallRow } from '../../store/repos/calls.ts';
import { entryOf, type RequestContext } from '../context.ts';
import type { Gate } from '../gate.ts';
import { digitsOf, newCallCode, sameText } from './codes.ts';
import { guardianEntry, type GuardianContext } from './guardian-context.ts';
import type { PortalKeys } from './portal-keys.ts';

export const CALL_MINUTES = 15;

export interface RegisteredCall {
  readonly id: string;
  /** To say on the phone. */
  readonly code: string;
  readonly expiresAt: string;
}

/** A call as the guardian sees it. */
export interface ActiveCall {
  readonly id: string;
  readonly childId: string;
  readonly who: {
    readonly role: string;
    readonly organization: string | null;
    readonly organizationKind: string | null;
    readonly staffName: string | null;
  };
  /** As the member of staff wrote it (a registry purpose's name, or a few words). */
  readonly purpose: string;
  /** When the purpose is one of the registry's: its legal basis. */
  readonly legalBasis?: string;
  readonly code: string;
  readonly fromNumber?: string;
  readonly registeredAt: string;
  readonly expiresAt: string;
}

export type Verdict =
  | { readonly genuine: true; readonly calls: readonly ActiveCall[] }
  | { readonly genuine: false; readonly message: string };

export const NO_CALL = 'no registered organisation is calling you now';

/** The roles a caller is shown as, most specific first (a principal may hold several). */
const SHOWN_ROLES = ['vaccination_nurse', 'clinician', 'records_clerk', 'investigator', 'dpo', 'partner'];

export class Calls {
  readonly #gate: Gate;
  readonly #keys: PortalKeys;
  readonly #repo: CallRepo;

  constructor(gate: Gate, keys: PortalKeys) {
    this.#gate = gate;
    this.#keys = keys;
    this.#repo = new CallRepo(gate.vault.db, gate.vault.tenantId);
  }

  async register(
    ctx: RequestContext,
    input: { recordId: string; purpose: string; fromNumber?: string },
  ): Promise<RegisteredCall> {
    const gate = this.#gate;
    const known = PURPOSES.get(input.purpose);
    const purpose = known?.name;
    const base = { ...entryOf(ctx), recordRef: gate.ref(input.recordId), action: 'call.register', purpose } as const;
    if (gate.guard.isBlocked(ctx.principal.id)) {
      await gate.refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    }
    const policy = await gate.policy();
    const rec = await gate.load(input.recordId, base);
    const standing = await gate.standing(ctx, rec, purpose);
    if (!policy.allows(ctx.principal, 'read', { type: 'Record', recordType: rec.recordType }, standing)) {
      await gate.refuse(
        { ...base, decision: `deny@${policy.version}`, outcome: 'denied' },
        new TracevaultError('ERR_NOT_FOUND'),
      );
    }
    const p = ctx.principal;
    const role = SHOWN_ROLES.find((r) => p.roles.includes(r)) ?? p.roles[0] ?? 'staff';
    const id = newId('call');
    const code = newCallCode();
    const now = gate.now();
    const expiresAt = new Date(now.getTime() + CALL_MINUTES * 60_000).toISOString();
    const fromNumber = input.fromNumber === undefined ? undefined : normaliseMobile(input.fromNumber);
    const sealed = this.#keys.sealCall(id, { code, purpose: input.purpose, ...(fromNumber && { fromNumber }) });
    await gate.commit(async (tx, events) => {
      await this.#repo.insert(tx, {
        id,
        recordSeq: rec.seq,
        principalId: p.id,
        orgId: p.orgId,
        role,
        purpose: purpose ?? null,
        at: now.toISOString(),
        expiresAt,
        sealed,
      });
      events.push({ ...base, decision: `allow@${policy.version}`, outcome: 'ok', detail: { call: id } });
    });
    return { id, code, expiresAt };
  }

  /** The calls still valid to the guardian's own children, newest first. */
  async active(g: GuardianContext): Promise<ActiveCall[]> {
    const rows = await this.#repo.activeFor(g.guardian.id, this.#gate.now().toISOString());
    return rows.map((r) => this.#shown(r));
  }

  /**
   * Is a caller genuine? A call matches when every item given matches it: the code said on the phone,
   * the number it comes from. Only the guardian's own children's calls are looked at.
   */
  async verify(g: GuardianContext, input: { code?: string; number?: string }): Promise<Verdict> {
    const code = input.code === undefined ? undefined : digitsOf(input.code);
    const number = input.number === undefined ? undefined : normaliseMobile(input.number);
    if (!code && !number) throw new TracevaultError('ERR_MISSING_FIELD', { field: 'code' });
    const matched = (await this.active(g)).filter((c) => {
      // Both compared whenever given, in constant time: which one failed does not show.
      const codeOk = code === undefined || sameText(c.code, code);
      const numberOk = number === undefined || (c.fromNumber !== undefined && sameText(c.fromNumber, number));
      return codeOk && numberOk;
    });
    const gate = this.#gate;
    await gate.commit(async (_tx, events) => {
      const first = matched[0];
      events.push({
        ...guardianEntry(g),
        action: 'call.verify',
        outcome: 'ok',
        ...(first && { recordRef: gate.ref(first.childId) }),
        detail: {
          genuine: matched.length > 0,
          ...(first && { call: first.id }),
          by: [code && 'code', number && 'number'].filter(Boolean).join('+'),
        },
      });
    });
    return matched.length > 0 ? { genuine: true, calls: matched } : { genuine: false, message: NO_CALL };
  }

  #shown(r: CallRow): ActiveCall {
    const secret = this.#keys.openCall(r.id, r.sealed);
    const known = r.purpose ? PURPOSES.get(r.purpose) : undefined;
    return {
      id: r.id,
      childId: r.recordId,
      who: {
        role: r.role,
        organization: r.organization,
        organizationKind: r.organizationKind,
        staffName: r.staffName,
      },
      purpose: secret.purpose,
      ...(known && { legalBasis: known.legalBasis }),
      code: secret.code,
      ...(secret.fromNumber && { fromNumber: secret.fromNumber }),
      registeredAt: r.createdAt,
      expiresAt: r.expiresAt,
    };
  }
}
