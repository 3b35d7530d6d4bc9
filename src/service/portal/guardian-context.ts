/**
 * Who is asking in the parents' portal: a guardian, known by the portal session of its bearer token
 * (guardian-access.ts), never a staff principal. What its ledger entries say: the guardian's id
 * (opaque, like a principal's), the role `guardian`, the request.
 */
import type { AuditEvent } from '../../store/audit.ts';

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
