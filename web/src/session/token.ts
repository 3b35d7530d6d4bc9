/**
 * The guardian's portal token, in sessionStorage (docs/adr/0014-web-app-build-and-pinned-keys.md):
 * it lasts as long as the tab, is not shared with other tabs or kept after the browser closes (a
 * family phone is often shared), and is sent only where the page puts it (a bearer header, not a
 * cookie: no cross-site request carries it).
 */
const KEY = 'tracevault.portal.session';

export interface PortalSession {
  readonly token: string;
  readonly expiresAt: string;
}

export function loadSession(now = new Date()): PortalSession | undefined {
  try {
    const raw = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<PortalSession> | null;
    if (typeof raw?.token !== 'string' || typeof raw.expiresAt !== 'string') return undefined;
    return Date.parse(raw.expiresAt) > now.getTime() ? { token: raw.token, expiresAt: raw.expiresAt } : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: PortalSession): void {
  sessionStorage.setItem(KEY, JSON.stringify({ token: s.token, expiresAt: s.expiresAt }));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
