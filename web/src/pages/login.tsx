/** Logging in again: the phone number (`POST /v1/portal/login`, always 202), then the one-time code. */
import { Button } from 'antd-mobile';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { ErrorSummary, type FormError } from '../components/error-summary.tsx';
import { Field } from '../components/field.tsx';
import { useFlow } from '../components/flow.tsx';
import { useFormSubmit } from '../components/use-form-submit.ts';
import { useTitle } from '../components/use-title.ts';
import { looksLikeMobile } from '../input-rules.ts';

export function LoginPage() {
  const { t } = useTranslation();
  useTitle(t('login.title'));
  const navigate = useNavigate();
  const { setPending } = useFlow();
  const [phone, setPhone] = useState('');
  const { errors, busy, submit: submitForm, errorOf } = useFormSubmit();

  const submit = (e: FormEvent) => {
    const found: FormError[] = looksLikeMobile(phone) ? [] : [{ field: 'phone', message: t('errors.phone') }];
    return submitForm(e, found, async () => {
      const { response } = await api.POST('/v1/portal/login', { body: { phone } });
      if (response.status !== 202) return response.status;
      setPending({ phone, via: 'login' });
      void navigate('/verify');
    });
  };

  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>{t('login.title')}</h1>
      <p className="tv-lead">{t('login.lead')}</p>
      <form noValidate onSubmit={(e) => void submit(e)}>
        <Field
          id="phone"
          label={t('login.phone')}
          hint={t('login.phoneHint')}
          error={errorOf('phone')}
          value={phone}
          onChange={setPhone}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
        />
        <Button type="submit" color="primary" size="large" block loading={busy} disabled={busy}>
          {t('login.submit')}
        </Button>
      </form>
      <p className="tv-after">
        <Link to="/enrol">{t('login.noCode')}</Link>
      </p>
    </>
  );
}
