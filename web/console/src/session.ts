/**
 * The staff session (POST /v1/sessions), in sessionStorage as the portal keeps its own
 * (docs/adr/0014-web-app-build-and-pinned-keys.md): it lasts as long as the tab, is not shared with
 * other tabs, and is sent only as a bearer header (no cookie: no cross-site request carries it).
 */
const KEY = 'tracevault.console.session';

export interface StaffSession {
  readonly token: string;
  readonly expiresAt: string;
  readonly principalId: string;
}

export function loadSession(now = new Date()): StaffSession | undefined {
  try {
    const raw = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<StaffSession> | null;
    if (typeof raw?.token !== 'string' || typeof raw.expiresAt !== 'string') return undefined;
    if (Date.parse(raw.expiresAt) <= now.getTime()) return undefined;
    return { token: raw.token, expiresAt: raw.expiresAt, principalId: String(raw.principalId ?? '') };
  } catch {
    return undefined;
  }
}

export function saveSession(s: StaffSession): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
