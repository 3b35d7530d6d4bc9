/**
 * The logged-in part of the console: without a session, the login page (and back here after it);
 * with one, who it is (GET /v1/me), then the frame and the page. Logging out ends the session on the
 * server (DELETE /v1/sessions) and in the tab.
 */
import { Button, Result, Spin } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { api, must, raw, whenSignedOut } from '../api/client.ts';
import { hasRole, meOf, MeProvider, useMe, type Me, type Role } from '../me.tsx';
import { clearSession, loadSession } from '../session.ts';
import { ErrorAlert } from './error-alert.tsx';
import { ShellLayout } from './layout.tsx';

export function Shell() {
  const { t } = useTranslation('shell');
  const navigate = useNavigate();
  const location = useLocation();
  const session = loadSession();
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<unknown>();

  const load = useCallback(() => {
    setError(undefined);
    must(api.GET('/v1/me')).then((b) => setMe(meOf(b)), setError);
  }, []);

  useEffect(() => {
    whenSignedOut(() => void navigate('/login', { replace: true }));
    if (session) load();
  }, [session?.token, load, navigate]);

  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname }} />;

  const logout = () => {
    void raw('DELETE', '/v1/sessions').catch(() => undefined);
    clearSession();
    void navigate('/login', { replace: true });
  };

  if (error) {
    return (
      <main id="main" className="tv-main tv-centered" tabIndex={-1}>
        <ErrorAlert
          error={error}
          action={
            <Button size="small" onClick={load}>
              {t('actions.retry')}
            </Button>
          }
        />
      </main>
    );
  }
  if (!me) {
    return (
      <main id="main" className="tv-main tv-centered" tabIndex={-1}>
        <Spin description={t('app.loading')} />
      </main>
    );
  }
  return (
    <MeProvider me={me}>
      <ShellLayout onLogout={logout}>
        <Outlet />
      </ShellLayout>
    </MeProvider>
  );
}

/** A page for these roles only: anyone else is told so (the server would refuse them anyway). */
export function RoleGate({ roles, children }: { readonly roles: readonly Role[]; readonly children: ReactNode }) {
  const { t } = useTranslation('shell');
  const me = useMe();
  if (!hasRole(me, roles)) return <Result status="403" title={<h1>{t('forbidden.title')}</h1>} />;
  return <>{children}</>;
}
