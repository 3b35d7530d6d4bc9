/**
 * "Is this caller real?" (issue 21 part 3): the calls staff registered to the guardian's children
 * now (`GET /v1/portal/calls`: who, why, the code they will say), and a check of the code said on the
 * phone or the number it comes from (`POST /v1/portal/calls/verify`): genuine, with who and why, or
 * "no registered organisation is calling you now", with what to do and a link to report the call.
 * Everything shown is text (React escapes it); the number typed goes to the report page in the
 * router's state, never in a URL.
 */
import { Button } from 'antd-mobile';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { api, bearer } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { ErrorSummary, type FormError } from '../components/error-summary.tsx';
import { Field } from '../components/field.tsx';
import { useFormSubmit } from '../components/use-form-submit.ts';
import { useTitle } from '../components/use-title.ts';
import { formatDateTime } from '../format.ts';
import { clearSession, loadSession } from '../session/token.ts';

type Call = paths['/v1/portal/calls']['get']['responses'][200]['content']['application/json']['calls'][number];
type Verdict = paths['/v1/portal/calls/verify']['post']['responses'][200]['content']['application/json'];

const ROLES = ['vaccination_nurse', 'clinician', 'records_clerk', 'investigator', 'dpo', 'partner'] as const;

/** A number grouped as people read it: a mobile 3-4-4, a landline with its 4-digit area code 4-4-4. */
export function groupNumber(digits: string): string {
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`;
  if (/^0\d{11}$/.test(digits)) return `${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8)}`;
  return digits;
}

/** "护士 李 of 历下区预防接种门诊 is calling you about HepB dose 2 — code 4821", in the page's language. */
export function CallLine({ call }: { readonly call: Call }) {
  const { t, i18n } = useTranslation();
  const role = (ROLES as readonly string[]).includes(call.who.role)
    ? t(`caller.role.${call.who.role as (typeof ROLES)[number]}`)
    : t('caller.role.staff');
  return (
    <>
      <p className="tv-call-who">
        {t('caller.callLine', {
          who: call.who.staffName ? `${role} ${call.who.staffName}` : role,
          org: call.who.organization ?? t('caller.unknownOrg'),
          purpose: call.purpose,
        })}
      </p>
      <p className="tv-call-code">
        {t('caller.code')} <strong className="tv-code">{call.code}</strong>
      </p>
      <p className="tv-hint">
        {call.fromNumber && `${t('caller.from', { number: groupNumber(call.fromNumber) })} · `}
        {t('caller.until', { time: formatDateTime(call.expiresAt, i18n.language) })}
      </p>
    </>
  );
}

export function CallerPage() {
  const { t } = useTranslation();
  useTitle(t('caller.title'));
  const navigate = useNavigate();
  const session = loadSession();
  const token = session?.token;
  const [calls, setCalls] = useState<Call[] | undefined>();
  const [loadFailed, setLoadFailed] = useState(false);
  const [code, setCode] = useState('');
  const [number, setNumber] = useState('');
  const [verdict, setVerdict] = useState<Verdict | undefined>();
  const { errors, busy, submit: submitForm, errorOf } = useFormSubmit();

  const expired = useCallback(() => {
    clearSession();
    void navigate('/login', { replace: true });
  }, [navigate]);

  useEffect(() => {
    if (!token) return;
    let live = true;
    api
      .GET('/v1/portal/calls', { headers: bearer(token) })
      .then(({ data, response }) => {
        if (!live) return;
        if (response.status === 401) expired();
        else if (data) setCalls(data.calls);
        else setLoadFailed(true);
      })
      .catch(() => live && setLoadFailed(true));
    return () => {
      live = false;
    };
  }, [token, expired]);

  if (!session) return <Navigate to="/login" replace />;

  const submit = (e: FormEvent) => {
    const c = code.normalize('NFKC').replace(/\s/g, '');
    const n = number.normalize('NFKC').trim();
    const found: FormError[] = [];
    if (c === '' && n === '') found.push({ field: 'code', message: t('caller.errorEmpty') });
    else if (c !== '' && !/^\d{4}$/.test(c)) found.push({ field: 'code', message: t('caller.errorCode') });
    if (n !== '' && !/^[\d+\-\s().]{3,32}$/.test(n)) found.push({ field: 'number', message: t('caller.errorNumber') });
    setVerdict(undefined);
    return submitForm(e, found, async () => {
      const { data, response } = await api.POST('/v1/portal/calls/verify', {
        body: { ...(c && { code: c }), ...(n && { number: n }) },
        headers: bearer(session.token),
      });
      if (response.status === 401) return expired();
      if (!data) return response.status;
      setVerdict(data);
    });
  };

  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>{t('caller.title')}</h1>
      <p className="tv-lead">{t('caller.lead')}</p>

      <section className="tv-card" aria-labelledby="calls-title">
        <h2 id="calls-title">{t('caller.activeTitle')}</h2>
        {loadFailed && <p className="tv-error-message">{t('errors.generic')}</p>}
        {calls?.length === 0 && <p>{t('caller.noActive')}</p>}
        <ul className="tv-plain-list">
          {calls?.map((c) => (
            <li key={c.id} className="tv-call">
              <CallLine call={c} />
            </li>
          ))}
        </ul>
      </section>

      <h2>{t('caller.checkTitle')}</h2>
      <form noValidate onSubmit={(e) => void submit(e)}>
        <Field
          id="code"
          label={t('caller.codeLabel')}
          hint={t('caller.codeHint')}
          error={errorOf('code')}
          value={code}
          onChange={setCode}
          inputMode="numeric"
          autoComplete="off"
          maxLength={8}
          className="tv-input-short"
        />
        <Field
          id="number"
          label={t('caller.numberLabel')}
          hint={t('caller.numberHint')}
          error={errorOf('number')}
          value={number}
          onChange={setNumber}
          type="tel"
          inputMode="tel"
          autoComplete="off"
        />
        <Button type="submit" color="primary" size="large" block loading={busy} disabled={busy}>
          {t('caller.submit')}
        </Button>
      </form>

      <div role="status" aria-live="polite">
        {verdict?.genuine === true && (
          <section className="tv-card tv-verdict tv-verdict-ok" aria-labelledby="verdict-title">
            <h2 className="tv-verdict-head" id="verdict-title">
              {t('caller.genuineTitle')}
            </h2>
            <ul className="tv-plain-list">
              {verdict.calls?.map((c) => (
                <li key={c.id} className="tv-call">
                  <CallLine call={c} />
                </li>
              ))}
            </ul>
            <p>{t('caller.genuineAdvice')}</p>
          </section>
        )}
        {verdict?.genuine === false && (
          <section className="tv-card tv-verdict tv-verdict-bad" aria-labelledby="verdict-title">
            <h2 className="tv-verdict-head" id="verdict-title">
              {t('caller.notGenuineTitle')}
            </h2>
            <p>{t('caller.notGenuineLead')}</p>
            <ul className="tv-list">
              <li>{t('caller.advice1')}</li>
              <li>{t('caller.advice2')}</li>
              <li>{t('caller.advice3')}</li>
            </ul>
            <p>
              <Link to="/report" state={{ callerNumber: number.trim() }}>
                {t('caller.reportLink')}
              </Link>
            </p>
          </section>
        )}
      </div>

      <p className="tv-after">
        <Link to="/report">{t('caller.reportAny')}</Link>
      </p>
      <p className="tv-after">
        <Link to="/home">{t('caller.back')}</Link>
      </p>
    </>
  );
}
