/**
 * Who has looked at a child's record (`GET /v1/portal/children/{id}/accesses`): every entry, newest
 * first, as who / what / when / why, each checked in this browser (proof/history-check.ts) and
 * marked verified, waiting to be signed, or failed. Any failure is said plainly at the top: "this
 * history may have been altered". Each entry's offline receipt can be downloaded.
 */
import { Button } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { api, bearer } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { ErasedNote, useErasedAt } from '../components/erased-note.tsx';
import { useTitle } from '../components/use-title.ts';
import { formatCount, formatDateTime, formatList } from '../format.ts';
import { pinnedKeys } from '../pinned-keys.ts';
import { checkHistory, type EntryState, type HistoryCheck } from '../proof/history-check.ts';
import { httpLedgerSource } from '../proof/http-source.ts';
import { clearSession, loadSession } from '../session/token.ts';

type Accesses = paths['/v1/portal/children/{id}/accesses']['get']['responses'][200]['content']['application/json'];
type Entry = Accesses['entries'][number];

const ROLES = [
  'clinician',
  'records_clerk',
  'vaccination_nurse',
  'partner',
  'investigator',
  'dpo',
  'auditor',
  'administrator',
  'statistician',
  'guardian',
] as const;
const PURPOSES = [
  'treatment',
  'vaccination',
  'birth_registration',
  'statistics',
  'partner_contact',
  'investigation',
  'data_subject_request',
] as const;
const oneOf = <T extends string>(list: readonly T[], v: string | null): v is T => list.includes(v as T);

function Who({ e }: { e: Entry }) {
  const { t } = useTranslation();
  const w = e.who;
  if (w.kind === 'guardian') return <>{w.you ? t('history.you') : t('history.otherGuardian')}</>;
  if (w.kind === 'system') return <>{t('history.system')}</>;
  const role = oneOf(ROLES, w.role) ? t(`history.roles.${w.role}`) : w.role;
  const parts = [w.organization ?? t('history.unknownOrg'), w.ward, role, w.staffName].filter(Boolean);
  return <>{parts.join(' · ')}</>;
}

function Mark({ state }: { state: EntryState | undefined }) {
  const { t } = useTranslation();
  const s = state ?? 'unchecked';
  return (
    <span className={`tv-mark tv-mark-${s}`} data-proof={s}>
      {t(`history.state.${s}`)}
    </span>
  );
}

/** Fetches the receipt with the session's token and saves it as a file. */
async function downloadReceipt(token: string, childId: string, index: number): Promise<boolean> {
  const r = await fetch(`/v1/portal/children/${encodeURIComponent(childId)}/accesses/${index}/receipt`, {
    headers: bearer(token),
    cache: 'no-store',
  });
  if (!r.ok) return false;
  const url = URL.createObjectURL(new Blob([await r.text()], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `tracevault-receipt-${index}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return true;
}

function Verdict({ check, answer }: { check: HistoryCheck | undefined; answer: Accesses }) {
  const { t, i18n } = useTranslation();
  if (!check) return <p>{t('history.checking')}</p>;
  const states = [...check.entries.values()];
  const verified = states.filter((s) => s === 'verified').length;
  const pending = states.filter((s) => s === 'pending').length;
  const n = (v: number) => formatCount(v, i18n.language);
  if (check.altered)
    return (
      <div className="tv-verdict tv-verdict-bad">
        <p className="tv-verdict-head">{t('history.altered')}</p>
        <p>{t('history.alteredDetail')}</p>
      </div>
    );
  if (check.ledger.state !== 'verified')
    return (
      <div className="tv-verdict tv-verdict-unknown">
        <p className="tv-verdict-head">{t('history.unavailable')}</p>
      </div>
    );
  return (
    <div className="tv-verdict tv-verdict-ok">
      <p className="tv-verdict-head">
        {pending === 0
          ? t('history.allVerified', { count: verified, n: n(verified) })
          : t('history.someVerified', { count: verified })}
      </p>
      {pending > 0 && <p>{t('history.pendingNote', { count: pending })}</p>}
      {answer.truncated && <p>{t('history.truncated')}</p>}
    </div>
  );
}

export function HistoryPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('history.title'));
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const session = loadSession();
  const token = session?.token;
  const [answer, setAnswer] = useState<Accesses | undefined>();
  const [check, setCheck] = useState<HistoryCheck | undefined>();
  const [failed, setFailed] = useState<'notFound' | 'network' | 'generic' | undefined>();
  const [receiptFailed, setReceiptFailed] = useState<number | undefined>();
  const erasedAt = useErasedAt(token, id);

  useEffect(() => {
    if (!token) return;
    let live = true;
    void (async () => {
      try {
        const { data, response } = await api.GET('/v1/portal/children/{id}/accesses', {
          params: { path: { id } },
          headers: bearer(token),
          cache: 'no-store',
        });
        if (!live) return;
        if (response.status === 401) {
          clearSession();
          void navigate('/login', { replace: true });
          return;
        }
        if (!data) return setFailed(response.status === 404 ? 'notFound' : 'generic');
        setAnswer(data);
        const source = httpLedgerSource((url, init) => fetch(url, { ...init, cache: 'no-store' }));
        const consistency = (a: number, b: number) => source.consistency(a, b);
        const result = await checkHistory(data, consistency, await pinnedKeys(), localStorage);
        if (live) setCheck(result);
      } catch {
        if (live) setFailed('network');
      }
    })();
    return () => {
      live = false;
    };
  }, [token, id, navigate]);

  if (!session) return <Navigate to="/login" replace />;
  /** Where the entry is in the ledger, as its receipt names it. */
  const place = (e: Entry) => t('history.index', { n: formatCount(e.index, i18n.language) });

  return (
    <>
      <p>
        <Link to={`/children/${encodeURIComponent(id)}`}>{t('history.back')}</Link>
      </p>
      <h1>{t('history.title')}</h1>
      <p className="tv-lead">{t('history.lead')}</p>
      {erasedAt && <ErasedNote at={erasedAt} />}
      {failed && (
        <p className="tv-error-message" role="alert">
          {failed === 'notFound' ? t('child.notFound') : t(failed === 'network' ? 'errors.network' : 'errors.generic')}
        </p>
      )}
      {answer && (
        <>
          <section className="tv-card" aria-labelledby="verdict-title">
            <h2 id="verdict-title">{t('ledger.title')}</h2>
            <div
              role="status"
              aria-live="polite"
              data-history={check ? (check.altered ? 'altered' : check.ledger.state) : 'checking'}
            >
              <Verdict check={check} answer={answer} />
            </div>
          </section>
          <h2>
            {answer.entries.length === 0 ? t('history.none') : t('history.count', { count: answer.entries.length })}
          </h2>
          <ol className="tv-history">
            {answer.entries.map((e) => (
              <li key={e.index} className="tv-card tv-entry" data-index={e.index}>
                <p className="tv-entry-head">
                  <strong>{t(`history.kind.${e.kind}`)}</strong>
                  <Mark state={check?.entries.get(e.index)} />
                </p>
                {e.outcome !== 'ok' && <p className="tv-entry-outcome">{t(`history.outcome.${e.outcome}`)}</p>}
                <dl className="tv-fields">
                  <div className="tv-field-row">
                    <dt>{t('history.when')}</dt>
                    <dd>{formatDateTime(e.at, i18n.language)}</dd>
                  </div>
                  <div className="tv-field-row">
                    <dt>{t('history.who')}</dt>
                    <dd>
                      <Who e={e} />
                    </dd>
                  </div>
                  {e.purpose && (
                    <div className="tv-field-row">
                      <dt>{t('history.why')}</dt>
                      <dd>{oneOf(PURPOSES, e.purpose) ? t(`history.purposes.${e.purpose}`) : e.purpose}</dd>
                    </div>
                  )}
                  {e.fields.length > 0 && (
                    <div className="tv-field-row">
                      <dt>{t('history.fieldsLabel')}</dt>
                      <dd>
                        {formatList(
                          e.fields.map((f) => t(`fields.${f}`, { defaultValue: f })),
                          i18n.language,
                        )}
                      </dd>
                    </div>
                  )}
                </dl>
                <p className="tv-hint">{place(e)}</p>
                {e.proof && (
                  <Button
                    size="small"
                    fill="outline"
                    aria-label={`${t('history.receipt')} · ${place(e)}`}
                    onClick={() =>
                      void downloadReceipt(session.token, id, e.index).then((ok) =>
                        setReceiptFailed(ok ? undefined : e.index),
                      )
                    }
                  >
                    {t('history.receipt')}
                  </Button>
                )}
                {receiptFailed === e.index && (
                  <p className="tv-error-message" role="alert">
                    {t('history.receiptFailed')}
                  </p>
                )}
              </li>
            ))}
          </ol>
          <p className="tv-hint">{t('history.receiptHint')}</p>
        </>
      )}
    </>
  );
}
