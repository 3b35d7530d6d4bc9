/**
 * The one-time code: `POST /v1/portal/sessions {phone, otp}` → `201 {token, expiresAt}`, kept in
 * sessionStorage (session/token.ts). Reached only from enrolling or logging in in this tab: the
 * phone number is in memory (components/flow.tsx), never in the URL.
 */
import { Button } from 'antd-mobile';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { ErrorSummary, type FormError } from '../components/error-summary.tsx';
import { Field } from '../components/field.tsx';
import { useFlow } from '../components/flow.tsx';
import { useFormSubmit } from '../components/use-form-submit.ts';
import { useTitle } from '../components/use-title.ts';
import { looksLikeOtp, otpDigits } from '../input-rules.ts';
import { saveSession } from '../session/token.ts';

export function VerifyPage() {
  const { t } = useTranslation();
  useTitle(t('verify.title'));
  const navigate = useNavigate();
  const { pending } = useFlow();
  const [otp, setOtp] = useState('');
  const { errors, busy, submit: submitForm, errorOf } = useFormSubmit();
  if (!pending) return <Navigate to="/" replace />;

  const submit = (e: FormEvent) => {
    const found: FormError[] = looksLikeOtp(otp) ? [] : [{ field: 'otp', message: t('errors.otp') }];
    return submitForm(e, found, async () => {
      const { data, response } = await api.POST('/v1/portal/sessions', {
        body: { phone: pending.phone, otp: otpDigits(otp) },
      });
      if (response.status !== 201 || !data) return response.status;
      saveSession({ token: data.token, expiresAt: data.expiresAt });
      // The home forgets the phone number (clearing it here would send this page back to the start).
      void navigate('/home', { replace: true });
    });
  };

  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>{t('verify.title')}</h1>
      <p className="tv-lead">{t('verify.lead', { phone: pending.phone })}</p>
      <p className="tv-warning">{t('verify.warning')}</p>
      <form noValidate onSubmit={(e) => void submit(e)}>
        <Field
          id="otp"
          label={t('verify.otp')}
          hint={t('verify.otpHint')}
          error={errorOf('otp')}
          value={otp}
          onChange={setOtp}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={12}
          className="tv-input-short"
        />
        <Button type="submit" color="primary" size="large" block loading={busy} disabled={busy}>
          {t('verify.submit')}
        </Button>
      </form>
      <p className="tv-after">
        <Link to={pending.via === 'enrol' ? '/enrol' : '/login'}>{t('verify.again')}</Link>
      </p>
    </>
  );
}
