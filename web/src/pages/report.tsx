/**
 * "Report a suspicious call" (issue 21 part 4, `POST /v1/portal/reports`): when the call came (in
 * Beijing time), the number if one showed, who the caller claimed to be, what they knew (the
 * registry's fields, as checkboxes) and what they said. One clear confirmation after, repeating what
 * was sent as text only: whatever was typed (a script included) is shown inert, never as markup.
 */
import { Button } from 'antd-mobile';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { api, bearer } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { ErrorSummary, type FormError } from '../components/error-summary.tsx';
import { Field, TextAreaField } from '../components/field.tsx';
import { useFormSubmit } from '../components/use-form-submit.ts';
import { useTitle } from '../components/use-title.ts';
import { formatDateTime, formatList } from '../format.ts';
import { clearSession, loadSession } from '../session/token.ts';

type NewReport = NonNullable<paths['/v1/portal/reports']['post']['requestBody']>['content']['application/json'];
type Known = NewReport['knew'][number];

/** The fields a caller may have known, most often first (the registry's names). */
const KNOWN: readonly Known[] = [
  'babyName',
  'birthTime',
  'hospital',
  'ward',
  'bed',
  'dischargeTime',
  'motherName',
  'fatherName',
  'motherPhone',
  'fatherPhone',
  'address',
  'vaccinations',
  'babySex',
  'babyResidentId',
  'motherResidentId',
  'fatherResidentId',
  'birthCertificateNo',
];

/** Now as a datetime-local value in Beijing time (UTC+8, no daylight saving). */
function beijingNow(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 16);
}

export function ReportPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('report.title'));
  const navigate = useNavigate();
  const location = useLocation();
  const session = loadSession();
  const given = (location.state as { callerNumber?: unknown } | null)?.callerNumber;
  const [when, setWhen] = useState(beijingNow);
  const [number, setNumber] = useState(typeof given === 'string' ? given : '');
  const [claimed, setClaimed] = useState('');
  const [knew, setKnew] = useState<Known[]>([]);
  const [quote, setQuote] = useState('');
  const [sent, setSent] = useState<{ id: string; body: NewReport } | undefined>();
  const { errors, busy, submit: submitForm, errorOf } = useFormSubmit();

  if (!session) return <Navigate to="/login" replace />;

  const toggle = (f: Known, on: boolean) => setKnew((k) => (on ? [...k, f] : k.filter((x) => x !== f)));

  const submit = (e: FormEvent) => {
    const found: FormError[] = [];
    const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(when) ? `${when}:00+08:00` : '';
    if (!at || Number.isNaN(Date.parse(at))) found.push({ field: 'when', message: t('report.errorWhen') });
    else if (Date.parse(at) > Date.now() + 5 * 60_000) found.push({ field: 'when', message: t('report.errorFuture') });
    const n = number.normalize('NFKC').trim();
    if (n !== '' && !/^[\d+\-\s().]{3,32}$/.test(n)) found.push({ field: 'number', message: t('report.errorNumber') });
    if (claimed.trim() === '') found.push({ field: 'claimed', message: t('report.errorClaimed') });
    const body: NewReport = {
      at,
      claimedToBe: claimed.trim(),
      knew: KNOWN.filter((f) => knew.includes(f)),
      ...(n && { callerNumber: n }),
      ...(quote.trim() && { quote: quote.trim() }),
    };
    return submitForm(e, found, async () => {
      const { data, response } = await api.POST('/v1/portal/reports', { body, headers: bearer(session.token) });
      if (response.status === 401) {
        clearSession();
        void navigate('/login', { replace: true });
        return;
      }
      if (!data) return response.status;
      setSent({ id: data.id, body });
      window.scrollTo(0, 0);
    });
  };

  if (sent)
    return (
      <>
        <section className="tv-card tv-verdict tv-verdict-ok" role="status" aria-labelledby="sent-title">
          <h1 className="tv-verdict-head" id="sent-title">
            {t('report.sentTitle')}
          </h1>
          <p>{t('report.sentLead')}</p>
        </section>
        <h2>{t('report.youTold')}</h2>
        <dl className="tv-report-summary">
          <dt>{t('report.sumWhen')}</dt>
          <dd>{formatDateTime(sent.body.at, i18n.language)}</dd>
          {sent.body.callerNumber && (
            <>
              <dt>{t('report.sumNumber')}</dt>
              <dd>{sent.body.callerNumber}</dd>
            </>
          )}
          <dt>{t('report.sumClaimed')}</dt>
          <dd data-testid="sent-claimed">{sent.body.claimedToBe}</dd>
          <dt>{t('report.sumKnew')}</dt>
          <dd>
            {sent.body.knew.length
              ? formatList(
                  sent.body.knew.map((f) => t(`report.field.${f}`)),
                  i18n.language,
                )
              : '—'}
          </dd>
          {sent.body.quote && (
            <>
              <dt>{t('report.sumQuote')}</dt>
              <dd data-testid="sent-quote">{sent.body.quote}</dd>
            </>
          )}
        </dl>
        <h2>{t('report.nextTitle')}</h2>
        <ul className="tv-list">
          <li>{t('report.next1')}</li>
          <li>{t('report.next2')}</li>
          <li>{t('report.next3')}</li>
        </ul>
        <p className="tv-hint">{t('report.reference', { id: sent.id })}</p>
        <p className="tv-after">
          <Link to="/home">{t('report.back')}</Link>
        </p>
      </>
    );

  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>{t('report.title')}</h1>
      <p className="tv-lead">{t('report.lead')}</p>
      <form noValidate onSubmit={(e) => void submit(e)}>
        <Field
          id="when"
          label={t('report.whenLabel')}
          hint={t('report.whenHint')}
          error={errorOf('when')}
          value={when}
          onChange={setWhen}
          type="datetime-local"
        />
        <Field
          id="number"
          label={t('report.numberLabel')}
          hint={t('report.numberHint')}
          error={errorOf('number')}
          value={number}
          onChange={setNumber}
          type="tel"
          inputMode="tel"
          autoComplete="off"
        />
        <Field
          id="claimed"
          label={t('report.claimedLabel')}
          hint={t('report.claimedHint')}
          error={errorOf('claimed')}
          value={claimed}
          onChange={setClaimed}
          maxLength={200}
          autoComplete="off"
        />
        <fieldset className="tv-report-fieldset" aria-describedby="knew-hint">
          <legend className="tv-label">{t('report.knewLegend')}</legend>
          <p className="tv-hint" id="knew-hint">
            {t('report.knewHint')}
          </p>
          <div className="tv-report-checks">
            {KNOWN.map((f) => (
              <label key={f} className="tv-report-check">
                <input
                  type="checkbox"
                  name="knew"
                  value={f}
                  checked={knew.includes(f)}
                  onChange={(e) => toggle(f, e.target.checked)}
                />
                <span>{t(`report.field.${f}`)}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <TextAreaField
          id="quote"
          label={t('report.quoteLabel')}
          hint={t('report.quoteHint')}
          className="tv-report-quote"
          maxLength={2000}
          value={quote}
          onChange={setQuote}
        />
        <Button type="submit" color="primary" size="large" block loading={busy} disabled={busy}>
          {t('report.submit')}
        </Button>
      </form>
      <p className="tv-after">
        <Link to="/caller">{t('report.toCaller')}</Link>
      </p>
      <p className="tv-after">
        <Link to="/home">{t('report.back')}</Link>
      </p>
    </>
  );
}
