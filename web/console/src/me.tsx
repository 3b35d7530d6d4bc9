/**
 * Who is logged in (GET /v1/me): display name, roles, organisation. The navigation and every page
 * ask it what the person may do; the server decides anyway (a page shown by mistake still gets 403).
 */
import { createContext, useContext, type ReactNode } from 'react';

export const ROLES = [
  'clinician',
  'records_clerk',
  'vaccination_nurse',
  'dpo',
  'auditor',
  'statistician',
  'partner',
  'investigator',
  'administrator',
] as const;
export type Role = (typeof ROLES)[number];

export interface Me {
  readonly id: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly organizationId: string | null;
  readonly organizationName: string | null;
  /** Everything else the server said (relationships, districts…), for pages that need it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The answer of GET /v1/me, read leniently: the fields the shell needs, the rest kept as is. */
export function meOf(body: unknown): Me {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const p = (typeof b.principal === 'object' && b.principal !== null ? b.principal : b) as Record<string, unknown>;
  const org = (typeof p.organization === 'object' && p.organization !== null ? p.organization : {}) as Record<
    string,
    unknown
  >;
  const roles = (Array.isArray(p.roles) ? p.roles : []).filter((r): r is Role => ROLES.includes(r as Role));
  return {
    id: str(p.id) ?? str(p.principalId) ?? '',
    displayName: str(p.displayName) ?? str(p.name) ?? '',
    roles,
    organizationId: str(p.organizationId) ?? str(p.orgId) ?? str(org.id),
    organizationName: str(p.organizationName) ?? str(org.name),
    raw: p,
  };
}

export const MeContext = createContext<Me | undefined>(undefined);

export function MeProvider({ me, children }: { readonly me: Me; readonly children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

/** The person logged in (inside the shell only). */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the shell');
  return me;
}

export const hasRole = (me: Me, roles: readonly Role[]) => roles.some((r) => me.roles.includes(r));
