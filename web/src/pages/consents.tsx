/**
 * Partners a guardian allows to contact the family (PIPL arts. 15 and 31), per child:
 * `GET /v1/portal/children/{id}/consents` lists each partner with the consent given or not; a consent
 * is given (`POST`) or withdrawn (`DELETE …/consents/{consentId}`) only after a confirm dialog that
 * says what it means. The outcome is announced in a status region; after a withdrawal the partner's
 * next read of the record is refused by the server.
 */
import { Button, Dialog } from 'antd-mobile';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { api, bearer } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { useTitle } from '../components/use-title.ts';
import { formatDate } from '../format.ts';
import { clearSession, loadSession } from '../session/token.ts';

type Listed = paths['/v1/portal/children/{id}/consents']['get']['responses'][200]['content']['application/json'];
type Consent = Listed['consents'][number];

interface ChildConsents {
  readonly id: string;
  readonly n: number;
  readonly consents: readonly Consent[];
}

export function ConsentsPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('consents.title'));
  const navigate = useNavigate();
  const session = loadSession();
  const token = session?.token;
  const [children, setChildren] = useState<ChildConsents[] | undefined>();
  const [failed, setFailed] = useState<'network' | 'generic' | undefined>();
  const [said, setSaid] = useState('');
  const [busy, setBusy] = useState('');
  /** The change the dialog asks the parent to confirm. */
  const [asking, setAsking] = useState<{ child: ChildConsents; consent: Consent } | undefined>();
  const [open, setOpen] = useState(false);

  const expired = useCallback(() => {
    clearSession();
    void navigate('/login', { replace: true });
  }, [navigate]);

  const load = useCallback(async () => {
    if (!token) return;
    try {
      const me = await api.GET('/v1/portal/me', { headers: bearer(token) });
      if (me.response.status === 401) return expired();
      if (!me.data) return setFailed('generic');
      const out: ChildConsents[] = [];
      for (const [i, c] of me.data.children.entries()) {
        const r = await api.GET('/v1/portal/children/{id}/consents', {
          params: { path: { id: c.id } },
          headers: bearer(token),
        });
        if (r.response.status === 401) return expired();
        if (!r.data) return setFailed('generic');
        out.push({ id: c.id, n: i + 1, consents: r.data.consents });
      }
      setChildren(out);
      setFailed(undefined);
    } catch {
      setFailed('network');
    }
  }, [token, expired]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!session) return <Navigate to="/login" replace />;

  const question = (c: Consent) =>
    t(c.state === 'granted' ? 'consents.confirmWithdrawTitle' : 'consents.confirmGrantTitle', { org: c.organization });

  const act = async (child: ChildConsents, c: Consent) => {
    setOpen(false);
    const granting = c.state !== 'granted';
    const org = c.organization;
    setBusy(`${child.id}/${c.consentId}`);
    setSaid('');
    try {
      const headers = bearer(session.token);
      const { response } = granting
        ? await api.POST('/v1/portal/children/{id}/consents', {
            params: { path: { id: child.id } },
            body: { organizationId: c.organizationId, purpose: c.purpose },
            headers,
          })
        : await api.DELETE('/v1/portal/children/{id}/consents/{consentId}', {
            params: { path: { id: child.id, consentId: c.consentId }, query: { purpose: c.purpose } },
            headers,
          });
      if (response.status === 401) return expired();
      if (response.status !== 201 && response.status !== 204) setFailed('generic');
      else setSaid(t(granting ? 'consents.grantedNow' : 'consents.withdrawnNow', { org }));
      await load();
    } catch {
      setFailed('network');
    } finally {
      setBusy('');
    }
  };

  return (
    <>
      <h1>{t('consents.title')}</h1>
      <p className="tv-lead">{t('consents.lead')}</p>
      <p role="status" className="tv-status">
        {said}
      </p>
      {failed && <p className="tv-error-message">{t(failed === 'network' ? 'errors.network' : 'errors.generic')}</p>}
      {children?.map((child) => (
        <section key={child.id} className="tv-card" aria-labelledby={`child-${child.n}`}>
          <h2 id={`child-${child.n}`}>{t('consents.child', { n: child.n })}</h2>
          {child.consents.length === 0 && <p>{t('consents.none')}</p>}
          <ul className="tv-plain-list tv-consents">
            {child.consents.map((c) => {
              const granted = c.state === 'granted';
              return (
                <li key={`${c.consentId}/${c.purpose}`} className="tv-consent" data-state={c.state}>
                  <p className="tv-consent-org">{c.organization}</p>
                  <p className="tv-hint">{t('consents.purpose')}</p>
                  <p className={granted ? 'tv-consent-granted' : 'tv-consent-none'}>
                    {granted && c.grantedAt
                      ? t('consents.granted', { date: formatDate(c.grantedAt, i18n.language) })
                      : t('consents.notGranted')}
                  </p>
                  <Button
                    size="middle"
                    color={granted ? 'danger' : 'primary'}
                    fill={granted ? 'outline' : 'solid'}
                    aria-label={t(granted ? 'consents.withdrawAria' : 'consents.grantAria', { org: c.organization })}
                    loading={busy === `${child.id}/${c.consentId}`}
                    disabled={busy !== ''}
                    onClick={() => {
                      setAsking({ child, consent: c });
                      setOpen(true);
                    }}
                  >
                    {t(granted ? 'consents.withdraw' : 'consents.grant')}
                  </Button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      <Dialog
        visible={open}
        aria-label={asking && question(asking.consent)}
        title={asking && question(asking.consent)}
        content={
          asking &&
          t(asking.consent.state === 'granted' ? 'consents.confirmWithdrawText' : 'consents.confirmGrantText', {
            org: asking.consent.organization,
          })
        }
        closeOnMaskClick
        onClose={() => setOpen(false)}
        actions={[
          [
            { key: 'cancel', text: t('consents.cancel') },
            {
              key: 'confirm',
              text: t(asking?.consent.state === 'granted' ? 'consents.withdraw' : 'consents.grant'),
              bold: true,
              danger: asking?.consent.state === 'granted',
            },
          ],
        ]}
        onAction={(a) => {
          if (a.key === 'confirm' && asking) void act(asking.child, asking.consent);
          else setOpen(false);
        }}
      />
      <p className="tv-after">
        <Link to="/home">{t('consents.back')}</Link>
      </p>
    </>
  );
}
