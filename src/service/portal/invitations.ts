/**
 * Invitations to the parents' portal, issued by the record's organisation (the policy's `invite`
 * action: by default its clinicians, clerks and vaccination nurses) and printed on the discharge or
 * registration paper. The code is shown once, in the answer; what is kept is its keyed HMAC
 * (portal-keys.ts). It stays valid for 30 days, for either parent: enrolling needs the code *and* a
 * phone that is on the record, and the one-time code then goes to that phone only.
 *
 * The issue is a ledger entry (`invitation.issue`) naming the record by its keyed reference and the
 * invitation by its id, never the code. A caller who may not read the record is answered as for a
 * record that does not exist; one who may read it but not invite, ERR_FORBIDDEN (as for consents).
 */
import { TracevaultError } from '../../errors.ts';
import { newId } from '../../crypto/ids.ts';
import { InvitationRepo } from '../../store/repos/invitations.ts';
import { entryOf, type RequestContext } from '../context.ts';
import type { Gate } from '../gate.ts';
import { newInvitationCode, normaliseInvitationCode } from './codes.ts';
import type { PortalKeys } from './portal-keys.ts';

export const INVITATION_DAYS = 30;

/** The fields an invitation is checked against: a record type without them has nobody to invite. */
const PARENT_PHONES = ['motherPhone', 'fatherPhone'] as const;

export interface IssuedInvitation {
  /** Shown once: `K7QM-3XPA-W9RT-HC4N`. */
  readonly code: string;
  readonly expiresAt: string;
}

export class Invitations {
  readonly #gate: Gate;
  readonly #keys: PortalKeys;
  readonly #repo: InvitationRepo;

  constructor(gate: Gate, keys: PortalKeys) {
    this.#gate = gate;
    this.#keys = keys;
    this.#repo = new InvitationRepo(gate.vault.db, gate.vault.tenantId);
  }

  async issue(ctx: RequestContext, recordId: string): Promise<IssuedInvitation> {
    const gate = this.#gate;
    const base = { ...entryOf(ctx), recordRef: gate.ref(recordId), action: 'invitation.issue' } as const;
    if (gate.guard.isBlocked(ctx.principal.id)) {
      await gate.refuse({ ...base, outcome: 'blocked' }, new TracevaultError('ERR_GUARD_BLOCKED'));
    }
    const policy = await gate.policy();
    const rec = await gate.load(recordId, base);
    const standing = await gate.standing(ctx, rec, undefined);
    const resource = { type: 'Record', recordType: rec.recordType } as const;
    if (!policy.allows(ctx.principal, 'invite', resource, standing)) {
      const readable = policy.allows(ctx.principal, 'read', resource, standing);
      await gate.refuse(
        { ...base, decision: `deny@${policy.version}`, outcome: 'denied' },
        new TracevaultError(readable ? 'ERR_FORBIDDEN' : 'ERR_NOT_FOUND'),
      );
    }
    if (!PARENT_PHONES.some((f) => rec.current.has(f))) {
      await gate.refuse(
        { ...base, outcome: 'denied', detail: { rule: 'invitation.phones' } },
        new TracevaultError('ERR_INVALID_FIELD', { field: 'motherPhone', rule: 'invitation.phones' }),
      );
    }
    const code = newInvitationCode();
    const id = newId('inv');
    const now = gate.now();
    const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000).toISOString();
    await gate.commit(async (tx, events) => {
      await this.#repo.insert(tx, {
        id,
        recordSeq: rec.seq,
        codeHash: this.#keys.invitationHash(normaliseInvitationCode(code)),
        orgId: ctx.principal.orgId,
        by: ctx.principal.id,
        at: now.toISOString(),
        expiresAt,
      });
      events.push({
        ...base,
        decision: `allow@${policy.version}`,
        outcome: 'ok',
        detail: { invitation: id, expiresAt },
      });
    });
    return { code, expiresAt };
  }
}
