/**
 * The guardian's home: the children this session may see (`GET /v1/portal/me`: ids, relation,
 * enrolment date), the ledger as this browser verified it, and what is still being built, said
 * plainly. No data is invented here.
 */
import { Button } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { api, bearer } from '../api/client.ts';
import type { components, paths } from '../api/schema.d.ts';
import { ErasedNote } from '../components/erased-note.tsx';
import { useFlow } from '../components/flow.tsx';
import { LedgerStatus } from '../components/ledger-status.tsx';
import { useTitle } from '../components/use-title.ts';
import { formatDate } from '../format.ts';
import { clearSession, loadSession } from '../session/token.ts';

type Me = paths['/v1/portal/me']['get']['responses'][200]['content']['application/json'];
type ApiError = components['responses']['Error']['content']['application/json'];

export function HomePage() {
  const { t, i18n } = useTranslation();
  useTitle(t('home.title'));
  const navigate = useNavigate();
  const session = loadSession();
  const token = session?.token;
  const [me, setMe] = useState<Me | undefined>();
  const [failed, setFailed] = useState<ApiError | 'network' | undefined>();
  const { setPending } = useFlow();
  // In, or sent back to log in: the phone number typed on the way is not needed any more.
  useEffect(() => setPending(undefined), [setPending]);

  useEffect(() => {
    if (!token) return;
    let live = true;
    api
      .GET('/v1/portal/me', { headers: bearer(token) })
      .then(({ data, error, response }) => {
        if (!live) return;
        if (response.status === 401) {
          clearSession();
          void navigate('/login', { replace: true });
        } else if (data) setMe(data);
        else setFailed(error);
      })
      .catch(() => live && setFailed('network'));
    return () => {
      live = false;
    };
  }, [token, navigate]);

  if (!session) return <Navigate to="/login" replace />;

  const logout = async () => {
    await api.DELETE('/v1/portal/sessions', { headers: bearer(session.token) }).catch(() => undefined);
    clearSession();
    void navigate('/', { replace: true });
  };

  return (
    <>
      <h1>{t('home.title')}</h1>
      {failed && <p className="tv-error-message">{t(failed === 'network' ? 'errors.network' : 'errors.generic')}</p>}
      {me && (
        <section className="tv-card" aria-labelledby="children-title">
          <h2 id="children-title">
            {me.children.length === 0 ? t('home.none') : t('home.children', { count: me.children.length })}
          </h2>
          <ul className="tv-plain-list">
            {me.children.map((c, i) => (
              <li key={c.id}>
                <strong>{t('home.child', { n: i + 1 })}</strong> · {t(`home.relation.${c.relation}`)} ·{' '}
                {t('home.enrolledAt', { date: formatDate(c.enrolledAt, i18n.language) })}
                {c.erasedAt ? (
                  <ErasedNote at={c.erasedAt} historyOf={c.id} />
                ) : (
                  <Link className="tv-child-link" to={`/children/${encodeURIComponent(c.id)}`}>
                    {t('child.open', { name: t('home.child', { n: i + 1 }) })}
                  </Link>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {me && me.children.length > 0 && (
        <nav className="tv-card" aria-label={t('notices.menu')}>
          <ul className="tv-plain-list tv-links">
            <li>
              <Link to="/notices">{t('notices.link')}</Link>
            </li>
            <li>
              <Link to="/consents">{t('consents.link')}</Link>
            </li>
            <li>
              <Link to="/rights">{t('rights.link')}</Link>
            </li>
            <li>
              <Link to="/caller">{t('caller.link')}</Link>
            </li>
            <li>
              <Link to="/report">{t('report.link')}</Link>
            </li>
          </ul>
        </nav>
      )}
      <LedgerStatus />
      <Button size="large" block fill="outline" onClick={() => void logout()}>
        {t('home.logout')}
      </Button>
    </>
  );
}
