/**
 * Enrolling: the invitation code on the discharge paper and the phone number on the record
 * (`POST /v1/portal/enrol`, always 202 whether or not anything matched), then the one-time code.
 */
import { Button } from 'antd-mobile';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { ErrorSummary, type FormError } from '../components/error-summary.tsx';
import { Field } from '../components/field.tsx';
import { useFlow } from '../components/flow.tsx';
import { useFormSubmit } from '../components/use-form-submit.ts';
import { useTitle } from '../components/use-title.ts';
import { looksLikeInvitation, looksLikeMobile } from '../input-rules.ts';

export function EnrolPage() {
  const { t } = useTranslation();
  useTitle(t('enrol.title'));
  const navigate = useNavigate();
  const { setPending } = useFlow();
  const [code, setCode] = useState('');
  const [phone, setPhone] = useState('');
  const { errors, busy, submit: submitForm, errorOf } = useFormSubmit();

  const submit = (e: FormEvent) => {
    const found: FormError[] = [];
    if (!looksLikeInvitation(code)) found.push({ field: 'code', message: t('errors.code') });
    if (!looksLikeMobile(phone)) found.push({ field: 'phone', message: t('errors.phone') });
    return submitForm(e, found, async () => {
      const { response } = await api.POST('/v1/portal/enrol', { body: { code, phone } });
      if (response.status !== 202) return response.status;
      setPending({ phone, via: 'enrol' });
      void navigate('/verify');
    });
  };
  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>{t('enrol.title')}</h1>
      <p className="tv-lead">{t('enrol.lead')}</p>
      <form noValidate onSubmit={(e) => void submit(e)}>
        <Field
          id="code"
          label={t('enrol.code')}
          hint={t('enrol.codeHint')}
          error={errorOf('code')}
          value={code}
          onChange={setCode}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
        />
        <Field
          id="phone"
          label={t('enrol.phone')}
          hint={t('enrol.phoneHint')}
          error={errorOf('phone')}
          value={phone}
          onChange={setPhone}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
        />
        <Button type="submit" color="primary" size="large" block loading={busy} disabled={busy}>
          {t('enrol.submit')}
        </Button>
      </form>
    </>
  );
}
