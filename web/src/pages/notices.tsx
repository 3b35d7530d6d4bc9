/**
 * Breach notices (PIPL art. 57), as a parent reads them: `GET /v1/portal/notices` gives, for each
 * confirmed leak that exposed one of the guardian's children, which details leaked, when, where it
 * probably came from, what the registry did and what the family can do — all as names and codes,
 * said here in plain words. Children are named as on the home page (Child 1, Child 2), never by a
 * value of their record.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { api, bearer } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { useTitle } from '../components/use-title.ts';
import { formatDate, formatList } from '../format.ts';
import type { Messages } from '../i18n/resources.ts';
import { zhCN } from '../i18n/zh-CN.ts';
import { clearSession, loadSession } from '../session/token.ts';

type Notice = paths['/v1/portal/notices']['get']['responses'][200]['content']['application/json']['notices'][number];

type Field = keyof Messages['fields'];
/** A leak's column is a field of the record, or a kind alone when the trace could not say whose (`*phone`). */
const KINDS: Readonly<Record<string, Field>> = {
  '*name': 'anyName',
  '*phone': 'anyPhone',
  '*residentId': 'anyResidentId',
};
const fieldOf = (f: string): Field => KINDS[f] ?? (Object.hasOwn(zhCN.fields, f) ? (f as Field) : 'other');

export function NoticesPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('notices.title'));
  const navigate = useNavigate();
  const session = loadSession();
  const token = session?.token;
  const [notices, setNotices] = useState<readonly Notice[] | undefined>();
  const [order, setOrder] = useState<ReadonlyMap<string, number>>(new Map());
  const [failed, setFailed] = useState<'network' | 'generic' | undefined>();

  useEffect(() => {
    if (!token) return;
    let live = true;
    const run = async () => {
      const me = await api.GET('/v1/portal/me', { headers: bearer(token) });
      const list = await api.GET('/v1/portal/notices', { headers: bearer(token) });
      if (!live) return;
      if (me.response.status === 401 || list.response.status === 401) {
        clearSession();
        void navigate('/login', { replace: true });
        return;
      }
      if (!me.data || !list.data) return setFailed('generic');
      setOrder(new Map(me.data.children.map((c, i) => [c.id, i + 1])));
      setNotices(list.data.notices);
    };
    run().catch(() => live && setFailed('network'));
    return () => {
      live = false;
    };
  }, [token, navigate]);

  if (!session) return <Navigate to="/login" replace />;
  const day = (iso: string | null) => (iso ? formatDate(iso, i18n.language) : '');

  const when = (n: Notice) => {
    const { from, to } = n.window;
    if (from && to) return t('notices.when', { from: day(from), to: day(to) });
    if (from) return t('notices.whenFrom', { from: day(from) });
    if (to) return t('notices.whenTo', { to: day(to) });
    return t('notices.whenUnknown');
  };

  const what = (n: Notice) => {
    const names = [...new Set(n.fields.map((f) => t(`fields.${fieldOf(f)}`)))];
    return formatList(names, i18n.language);
  };

  return (
    <>
      <h1>{t('notices.title')}</h1>
      <p className="tv-lead">{t('notices.lead')}</p>
      {failed && <p className="tv-error-message">{t(failed === 'network' ? 'errors.network' : 'errors.generic')}</p>}
      {notices?.length === 0 && (
        <section className="tv-card">
          <p>{t('notices.none')}</p>
        </section>
      )}
      {notices?.map((n) => (
        <article key={n.id} className="tv-card tv-breach" aria-labelledby={`notice-${n.id}`}>
          <h2 id={`notice-${n.id}`}>{t('notices.noticeTitle', { date: day(n.confirmedAt) })}</h2>
          <p>
            {t('notices.children', {
              list: formatList(
                n.childIds.map((id) => t('notices.child', { n: order.get(id) ?? '?' })),
                i18n.language,
              ),
            })}
          </p>
          <dl className="tv-breach-facts">
            <dt>{t('notices.whatTitle')}</dt>
            <dd>{what(n)}</dd>
            <dt>{t('notices.whenTitle')}</dt>
            <dd>{when(n)}</dd>
            <dt>{t('notices.sourceTitle')}</dt>
            <dd>{t(`notices.source.${n.sourceKind}`)}</dd>
          </dl>
          <h3>{t('notices.doneTitle')}</h3>
          <ul className="tv-list">
            {(['traced', ...n.actions] as const).map((a) => (
              <li key={a}>{t(`notices.done.${a}`)}</li>
            ))}
          </ul>
          <h3>{t('notices.stepsTitle')}</h3>
          <ul className="tv-list tv-breach-steps">
            {n.steps.map((s) => (
              <li key={s}>{t(`notices.steps.${s}`)}</li>
            ))}
          </ul>
          <p className="tv-hint">{t('notices.reference', { id: n.id })}</p>
        </article>
      ))}
      <p className="tv-after">
        <Link to="/home">{t('notices.back')}</Link>
      </p>
    </>
  );
}
