/**
 * One child's record as the portal shows it (`GET /v1/portal/children/{id}`): masked, as the
 * registry masks it, with a plain note that this look is itself recorded, and the way to its
 * access history. An id that is not one of the session's children is "cannot be found", as the
 * server answers it.
 */
import { useEffect, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { api, bearer } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { ErasedNote, useErasedAt } from '../components/erased-note.tsx';
import { useTitle } from '../components/use-title.ts';
import { formatDate } from '../format.ts';
import { clearSession, loadSession } from '../session/token.ts';

type ChildRecord = paths['/v1/portal/children/{id}']['get']['responses'][200]['content']['application/json'];

const FIELD_ORDER = [
  'babyName',
  'babySex',
  'birthTime',
  'hospital',
  'ward',
  'bed',
  'dischargeTime',
  'babyResidentId',
  'birthCertificateNo',
  'motherName',
  'motherPhone',
  'motherResidentId',
  'fatherName',
  'fatherPhone',
  'fatherResidentId',
  'address',
  'vaccinations',
] as const;

/** A masked value as a parent reads it (vaccinations as a count of doses; sex in words). */
/** A value as text: scalars as they are, a list's items (vaccinations) one after another, objects by their values. */
function text(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(text).join('；');
  if (value && typeof value === 'object') {
    // A dose names its vaccine in Chinese (`name`) beside the stored code: a parent reads the name.
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => !(k === 'vaccine' && typeof o.name === 'string'));
    return keys.map((k) => text(o[k])).join(' ');
  }
  return '';
}

/** A masked value as a parent reads it (sex in words). */
function shown(field: string, value: unknown, t: TFunction): string {
  if (value === null || value === undefined || value === '') return t('child.empty');
  if (field === 'babySex' && (value === 'male' || value === 'female' || value === 'unknown'))
    return t(`child.sex.${value}`);
  const v = text(value);
  // A value masked whole (a sex is one character) says so in words, not as a lone star.
  if (/^\*+$/.test(v)) return t('child.hidden');
  return v || t('child.empty');
}

export function ChildPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('child.title'));
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const session = loadSession();
  const token = session?.token;
  const [child, setChild] = useState<ChildRecord | undefined>();
  const [failed, setFailed] = useState<'notFound' | 'erased' | 'network' | 'generic' | undefined>();
  // An erased child's record is not asked for: there is nothing left to show but the note.
  const erasedAt = useErasedAt(token, id);

  useEffect(() => {
    if (!token || erasedAt !== null) return;
    let live = true;
    api
      .GET('/v1/portal/children/{id}', { params: { path: { id } }, headers: bearer(token) })
      .then(({ data, error, response }) => {
        if (!live) return;
        if (response.status === 401) {
          clearSession();
          void navigate('/login', { replace: true });
        } else if (data) setChild(data);
        else if (error?.code === 'ERR_ERASED') setFailed('erased');
        else setFailed(response.status === 404 ? 'notFound' : 'generic');
      })
      .catch(() => live && setFailed('network'));
    return () => {
      live = false;
    };
  }, [token, id, navigate, erasedAt]);

  if (!session) return <Navigate to="/login" replace />;
  const fields = (child?.fields ?? {}) as Record<string, unknown>;

  return (
    <>
      <p>
        <Link to="/home">{t('child.back')}</Link>
      </p>
      <h1>{child?.label.name ?? t('child.title')}</h1>
      {erasedAt && <ErasedNote at={erasedAt} historyOf={id} />}
      {failed && !(failed === 'erased' && erasedAt) && (
        <p className="tv-error-message" role="alert">
          {failed === 'notFound' || failed === 'erased'
            ? t('child.notFound')
            : t(failed === 'network' ? 'errors.network' : 'errors.generic')}
        </p>
      )}
      {child && (
        <>
          <p className="tv-lead">
            {child.label.birthDate &&
              t('child.born', { date: formatDate(`${child.label.birthDate}T12:00:00+08:00`, i18n.language) })}
            {child.label.hospital && (
              <>
                <br />
                {t('child.hospital', { hospital: child.label.hospital })}
              </>
            )}
          </p>
          <p className="tv-button tv-button-primary tv-link-button">
            <Link to={`/children/${encodeURIComponent(child.id)}/history`}>{t('child.historyLink')}</Link>
          </p>
          <section className="tv-card" aria-labelledby="fields-title">
            <h2 id="fields-title">{t('child.fieldsTitle')}</h2>
            <p className="tv-hint">{t('child.masked')}</p>
            <dl className="tv-fields">
              {FIELD_ORDER.filter((f) => f in fields).map((f) => (
                <div key={f} className="tv-field-row">
                  <dt>{t(`fields.${f}`)}</dt>
                  <dd>{shown(f, fields[f], t)}</dd>
                </div>
              ))}
            </dl>
          </section>
        </>
      )}
    </>
  );
}
