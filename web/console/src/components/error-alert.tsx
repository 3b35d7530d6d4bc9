/**
 * A failed call as the person using the page should read it: the coded error's message in their
 * language (the server's fixed, safe message when there is no translation), the code, and the
 * fields and rules it names. Never a value: the server sends none (src/server/errors.ts).
 */
import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, isApiError } from '../api/client.ts';

export function errorText(t: ReturnType<typeof useTranslation<'shell'>>['t'], e: ApiError): string {
  return t(`errors.${e.code}` as 'errors.ERR_INTERNAL', { defaultValue: e.message || e.code });
}

export function ErrorAlert({ error, action }: { readonly error: unknown; readonly action?: React.ReactNode }) {
  const { t } = useTranslation('shell');
  if (error === undefined || error === null) return null;
  const e: ApiError = isApiError(error) ? error : new ApiError(0, 'ERR_INTERNAL', '');
  const d = e.details ?? {};
  const fields: unknown[] = Array.isArray(d.fields) ? (d.fields as unknown[]) : [];
  const named = [d.field, d.rule, ...fields].filter((x): x is string => typeof x === 'string');
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      className="tv-error"
      title={t('errors.title')}
      description={
        <>
          <p className="tv-error-text">{errorText(t, e)}</p>
          <p className="tv-error-code">
            {t('errors.code', { code: e.code })}
            {named.length > 0 ? ` · ${named.join(' · ')}` : ''}
          </p>
        </>
      }
      action={action}
    />
  );
}
