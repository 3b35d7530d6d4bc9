/**
 * The guardian's rights (PIPL arts. 44–47, for a child under 14 art. 31): a copy of the child's
 * record (`POST /v1/portal/requests {kind: copy}`, then `GET /v1/portal/children/{id}/copy`), a
 * correction, a restriction or an erasure, and the requests made so far with their answers
 * (`GET /v1/portal/requests`). Whatever the parent or the staff wrote is shown as text (React
 * escapes it), never as markup.
 */
import { Button } from 'antd-mobile';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { api, bearer } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { ErrorSummary, type FormError } from '../components/error-summary.tsx';
import { Field, TextAreaField } from '../components/field.tsx';
import { useFormSubmit } from '../components/use-form-submit.ts';
import { useTitle } from '../components/use-title.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { clearSession, loadSession } from '../session/token.ts';

type Me = paths['/v1/portal/me']['get']['responses'][200]['content']['application/json'];
type Request = paths['/v1/portal/requests']['get']['responses'][200]['content']['application/json']['requests'][0];

/** The fields a parent may ask to correct (the others are the hospital's own entries). */
const CORRECTABLE = [
  'babyName',
  'babySex',
  'birthTime',
  'motherName',
  'motherPhone',
  'fatherName',
  'fatherPhone',
  'address',
] as const;
/** As in the server's rule (service/requests-deadline.ts). */
const WORKING_DAYS = 15;

/** Saves bytes fetched with the session's token as a file (a link could not carry the token). */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function RightsPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('rights.title'));
  const navigate = useNavigate();
  const session = loadSession();
  const token = session?.token;
  const [me, setMe] = useState<Me | undefined>();
  const [childId, setChildId] = useState('');
  const [requests, setRequests] = useState<Request[]>([]);
  const [copyCount, setCopyCount] = useState<number | undefined>();
  const [sent, setSent] = useState<string | undefined>();
  const [field, setField] = useState('');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [kind, setKind] = useState<'' | 'restriction' | 'erasure'>('');
  const [otherReason, setOtherReason] = useState('');
  /** The server found the corrected value invalid for its field (the field's own rules). */
  const [invalid, setInvalid] = useState(false);
  const copyForm = useFormSubmit();
  const correctionForm = useFormSubmit();
  const otherForm = useFormSubmit();

  const gone = useCallback(() => {
    clearSession();
    void navigate('/login', { replace: true });
  }, [navigate]);

  const reload = useCallback(async () => {
    if (!token) return;
    const { data, response } = await api.GET('/v1/portal/requests', { headers: bearer(token) });
    if (response.status === 401) gone();
    else if (data) setRequests(data.requests);
  }, [token, gone]);

  useEffect(() => {
    if (!token) return;
    let live = true;
    void api.GET('/v1/portal/me', { headers: bearer(token) }).then(({ data, response }) => {
      if (!live) return;
      if (response.status === 401) gone();
      else if (data) {
        setMe(data);
        setChildId((c) => c || data.children[0]?.id || '');
      }
    });
    void reload();
    return () => {
      live = false;
    };
  }, [token, gone, reload]);

  if (!session) return <Navigate to="/login" replace />;
  const auth = bearer(session.token);
  const asked = (r: { deadline: string }) => setSent(t('rights.sent', { date: formatDate(r.deadline, i18n.language) }));

  const askCopy = (e: FormEvent) =>
    copyForm.submit(e, [], async () => {
      const { data, response } = await api.POST('/v1/portal/requests', {
        headers: auth,
        body: { childId, kind: 'copy' },
      });
      if (response.status !== 201 || !data) return response.status;
      const copy = await api.GET('/v1/portal/children/{id}/copy', {
        headers: auth,
        params: { path: { id: childId }, query: { format: 'json' } },
      });
      if (!copy.data) return copy.response.status;
      setCopyCount(copy.data.versions.length);
      await reload();
    });

  const download = async (format: 'json' | 'pdf') => {
    const res = await fetch(`/v1/portal/children/${encodeURIComponent(childId)}/copy?format=${format}`, {
      headers: auth,
    });
    if (res.ok) save(await res.blob(), `record-copy.${format}`);
  };

  const askCorrection = (e: FormEvent) => {
    const found: FormError[] = [];
    if (!field) found.push({ field: 'field', message: t('rights.errors.field') });
    if (!value.trim()) found.push({ field: 'value', message: t('rights.errors.value') });
    setInvalid(false);
    return correctionForm.submit(e, found, async () => {
      const { data, error, response } = await api.POST('/v1/portal/requests', {
        headers: auth,
        body: { childId, kind: 'correction', fields: { [field]: value.trim() }, ...(reason.trim() && { reason }) },
      });
      if (response.status === 400 && error?.code === 'ERR_INVALID_FIELD') {
        setInvalid(true);
        return;
      }
      if (response.status !== 201 || !data) return response.status;
      asked(data);
      setField('');
      setValue('');
      setReason('');
      await reload();
    });
  };

  const askOther = (e: FormEvent) => {
    const found: FormError[] = kind ? [] : [{ field: 'kind-restriction', message: t('rights.errors.kind') }];
    return otherForm.submit(e, found, async () => {
      if (!kind) return;
      const { data, response } = await api.POST('/v1/portal/requests', {
        headers: auth,
        body: { childId, kind, ...(otherReason.trim() && { reason: otherReason }) },
      });
      if (response.status !== 201 || !data) return response.status;
      asked(data);
      setKind('');
      setOtherReason('');
      await reload();
    });
  };

  const kindError = otherForm.errorOf('kind-restriction');
  return (
    <>
      <h1>{t('rights.title')}</h1>
      <p className="tv-lead">{t('rights.lead', { days: WORKING_DAYS })}</p>
      {sent && (
        <p className="tv-notice" role="status">
          {sent}
        </p>
      )}
      {me && me.children.length > 1 && (
        <div className="tv-field">
          <label className="tv-label" htmlFor="child">
            {t('rights.child')}
          </label>
          <select id="child" className="tv-input" value={childId} onChange={(e) => setChildId(e.target.value)}>
            {me.children.map((c, i) => (
              <option key={c.id} value={c.id}>
                {t('rights.childOption', { n: i + 1, date: formatDate(c.enrolledAt, i18n.language) })}
              </option>
            ))}
          </select>
        </div>
      )}

      <section className="tv-card" aria-labelledby="copy-title">
        <h2 id="copy-title">{t('rights.copyTitle')}</h2>
        <ErrorSummary errors={copyForm.errors} />
        <p>{t('rights.copyText')}</p>
        <form noValidate onSubmit={(e) => void askCopy(e)}>
          <Button type="submit" color="primary" size="large" block loading={copyForm.busy} disabled={!childId}>
            {t('rights.copyButton')}
          </Button>
        </form>
        {copyCount !== undefined && (
          <div role="status">
            <p>{t('rights.copyReady', { count: copyCount })}</p>
            <div className="tv-button-row">
              <Button size="large" fill="outline" onClick={() => void download('pdf')}>
                {t('rights.copyPdf')}
              </Button>
              <Button size="large" fill="outline" onClick={() => void download('json')}>
                {t('rights.copyJson')}
              </Button>
            </div>
          </div>
        )}
      </section>

      <section className="tv-card" aria-labelledby="correction-title">
        <h2 id="correction-title">{t('rights.correctionTitle')}</h2>
        <ErrorSummary errors={correctionForm.errors} />
        <p>{t('rights.correctionText')}</p>
        <form noValidate onSubmit={(e) => void askCorrection(e)}>
          <div className={correctionForm.errorOf('field') ? 'tv-field tv-field-error' : 'tv-field'}>
            <label className="tv-label" htmlFor="field">
              {t('rights.field')}
            </label>
            {correctionForm.errorOf('field') && (
              <p className="tv-error-message" id="field-error">
                {correctionForm.errorOf('field')}
              </p>
            )}
            <select
              id="field"
              className="tv-input"
              value={field}
              aria-invalid={correctionForm.errorOf('field') ? true : undefined}
              aria-describedby={correctionForm.errorOf('field') ? 'field-error' : undefined}
              onChange={(e) => setField(e.target.value)}
            >
              <option value="">{t('rights.fieldChoose')}</option>
              {CORRECTABLE.map((f) => (
                <option key={f} value={f}>
                  {t(`fields.${f}`)}
                </option>
              ))}
            </select>
          </div>
          <Field
            id="value"
            label={t('rights.value')}
            hint={t('rights.valueHint')}
            error={correctionForm.errorOf('value') ?? (invalid ? t('rights.errors.invalid') : undefined)}
            value={value}
            onChange={setValue}
            maxLength={200}
          />
          <TextAreaField
            id="reason"
            label={t('rights.reason')}
            hint={t('rights.reasonHint')}
            rows={3}
            maxLength={1000}
            value={reason}
            onChange={setReason}
          />
          <Button type="submit" color="primary" size="large" block loading={correctionForm.busy} disabled={!childId}>
            {t('rights.correctionButton')}
          </Button>
        </form>
      </section>

      <section className="tv-card" aria-labelledby="other-title">
        <h2 id="other-title">{t('rights.otherTitle')}</h2>
        <ErrorSummary errors={otherForm.errors} />
        <form noValidate onSubmit={(e) => void askOther(e)}>
          <fieldset
            className={kindError ? 'tv-field tv-field-error tv-fieldset' : 'tv-field tv-fieldset'}
            aria-describedby={kindError ? 'kind-error' : undefined}
          >
            <legend className="tv-label">{t('rights.kind')}</legend>
            {kindError && (
              <p className="tv-error-message" id="kind-error">
                {kindError}
              </p>
            )}
            {(['restriction', 'erasure'] as const).map((k) => (
              <label key={k} className="tv-radio" htmlFor={`kind-${k}`}>
                <input
                  type="radio"
                  id={`kind-${k}`}
                  name="kind"
                  value={k}
                  checked={kind === k}
                  onChange={() => setKind(k)}
                />
                <span>{t(`rights.${k}`)}</span>
              </label>
            ))}
          </fieldset>
          <TextAreaField
            id="other-reason"
            label={t('rights.reason')}
            rows={3}
            maxLength={1000}
            value={otherReason}
            onChange={setOtherReason}
          />
          <Button type="submit" color="primary" size="large" block loading={otherForm.busy} disabled={!childId}>
            {t('rights.otherButton')}
          </Button>
        </form>
      </section>

      <section className="tv-card" aria-labelledby="list-title">
        <h2 id="list-title">{t('rights.listTitle')}</h2>
        {requests.length === 0 ? (
          <p>{t('rights.listNone')}</p>
        ) : (
          <ul className="tv-plain-list tv-requests">
            {requests.map((r) => (
              <li key={r.id} className="tv-request">
                <p>
                  <strong>{t(`rights.kinds.${r.kind}`)}</strong> ·{' '}
                  <span className={`tv-request-status tv-request-${r.status}`}>{t(`rights.status.${r.status}`)}</span>
                </p>
                {r.fields &&
                  Object.entries(r.fields).map(([f, v]) => (
                    <p key={f}>
                      {t('rights.fieldValue', {
                        field: CORRECTABLE.includes(f as (typeof CORRECTABLE)[number])
                          ? t(`fields.${f as (typeof CORRECTABLE)[number]}`)
                          : f,
                        value: typeof v === 'string' ? v : JSON.stringify(v),
                      })}
                    </p>
                  ))}
                {r.reason && <p>{t('rights.yourReason', { text: r.reason })}</p>}
                <p className="tv-hint">
                  {t('rights.askedAt', { date: formatDateTime(r.createdAt, i18n.language) })}
                  {r.status === 'pending' && (
                    <> · {t('rights.deadline', { date: formatDate(r.deadline, i18n.language) })}</>
                  )}
                </p>
                {r.answer && <p>{t('rights.answer', { text: r.answer })}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <p className="tv-after">
        <Link to="/home">{t('rights.back')}</Link>
      </p>
    </>
  );
}
