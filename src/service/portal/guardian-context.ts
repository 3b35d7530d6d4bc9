/**
 * Who is asking in the parents' portal: a guardian, known by the portal session of its bearer token
 * (guardian-access.ts), never a staff principal. What its ledger entries say: the guardian's id
 * (opaque, like a principal's), the role `guardian`, the request.
 */
import type { AuditEvent } from '../../store/audit.ts';
import type { GuardianChild } from '../../store/repos/guardians.ts';
import { TracevaultError } from '../../errors.ts';
import { sameText } from './codes.ts';

export interface Guardian {
  readonly id: string;
  /** When the portal session of this request ends. */
  readonly sessionExpiresAt: string;
}

export interface GuardianContext {
  readonly guardian: Guardian;
  readonly requestId: string;
}

export const GUARDIAN_ROLE = 'guardian';

export function guardianEntry(g: GuardianContext): Partial<AuditEvent> & { principalId: string } {
  return { principalId: g.guardian.id, roles: GUARDIAN_ROLE, requestId: g.requestId };
}

/**
 * The guardian's own child of this id among its children, else undefined: every portal path that
 * takes a child id from a request asks here first, so another family's id and an id that does not
 * exist are one case. Each id is compared alike (constant time, no early exit).
 */
export function ownChild(children: readonly GuardianChild[], id: string): GuardianChild | undefined {
  let found: GuardianChild | undefined;
  for (const c of children) if (sameText(c.recordId, id) && !found) found = c;
  return found;
}

/**
 * An own child whose record was erased: nothing can be asked of it any more (requests, consents,
 * a copy, a report), the same coded refusal for each of its guardians, ERR_ERASED. Only ever asked
 * after ownChild: another family's erased child stays ERR_NOT_FOUND like any other id.
 */
export function liveChild(child: GuardianChild): GuardianChild {
  if (child.erasedAt !== null) throw new TracevaultError('ERR_ERASED');
  return child;
}
