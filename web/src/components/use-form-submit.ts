/**
 * A form's submission, as every portal form does it: the form's own checks first (their errors shown,
 * nothing sent), then the request with the button busy; a refusal shown by its status, a network
 * failure as such. `send` returns nothing when it succeeded (and moved on), else the status it got.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { failureOf } from '../api/client.ts';
import type { FormError } from './error-summary.tsx';

export function useFormSubmit() {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormError[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent, found: FormError[], send: () => Promise<number | void>) => {
    e.preventDefault();
    setErrors(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      const refused = await send();
      if (refused !== undefined) setErrors([{ message: t(`errors.${failureOf(refused)}`) }]);
    } catch {
      setErrors([{ message: t('errors.network') }]);
    } finally {
      setBusy(false);
    }
  };

  /** The message of a field's error, if it has one. */
  const errorOf = (field: string) => errors.find((x) => x.field === field)?.message;
  return { errors, busy, submit, errorOf };
}
