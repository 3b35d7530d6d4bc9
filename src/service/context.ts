/**
 * Who is asking, and under which request: what every use case receives from an interface (the
 * HTTP server, the command line) and what its ledger entries carry.
 */
import type { AuditEvent } from '../store/audit.ts';
import type { Actor } from '../store/registry.ts';
import type { Principal } from '../store/vault.ts';

export interface RequestContext {
  readonly principal: Principal;
  readonly requestId: string;
}

/** What every ledger entry made for this request says: who (principal, organisation, roles) and which request. */
export function entryOf(ctx: RequestContext): Partial<AuditEvent> & { principalId: string } {
  const p = ctx.principal;
  return {
    principalId: p.id,
    organisationId: p.orgId ?? undefined,
    roles: p.roles.join(','),
    requestId: ctx.requestId,
  };
}

/** The principal as the registry's actor, its ledger entries saying `extra` too (purpose, decision). */
export function actorOf(ctx: RequestContext, extra: Partial<AuditEvent> = {}): Actor {
  return { id: ctx.principal.id, orgId: ctx.principal.orgId, entry: { ...entryOf(ctx), ...extra } };
}
