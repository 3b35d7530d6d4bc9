/**
 * Request bodies as people write them: `name` for `displayName`, `role` for `roles`,
 * `organisationId` for `organizationId`. Applied before a body is checked (a route's `prepare`);
 * the spelling a body already uses wins.
 */
export function aliases(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  for (const [alias, name] of [
    ['name', 'displayName'],
    ['organisationId', 'organizationId'],
  ] as const) {
    if (out[name] === undefined && typeof out[alias] === 'string') {
      out[name] = out[alias];
      delete out[alias];
    }
  }
  if (out.roles === undefined && typeof out.role === 'string') {
    out.roles = [out.role];
    delete out.role;
  }
  return out;
}
