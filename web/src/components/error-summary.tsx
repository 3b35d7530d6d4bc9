/**
 * The errors of a form, above it, as the GOV.UK design system shows them: focused when they
 * appear (so a screen reader reads them at once), each linking to its field.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export interface FormError {
  /** The field's id; none for an error of the whole form (a refused code, the network). */
  readonly field?: string;
  readonly message: string;
}

export function ErrorSummary({ errors }: { readonly errors: readonly FormError[] }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length > 0) ref.current?.focus();
  }, [errors]);
  if (errors.length === 0) return null;
  return (
    <div className="tv-error-summary" role="alert" tabIndex={-1} ref={ref} aria-labelledby="error-summary-title">
      <h2 className="tv-error-summary-title" id="error-summary-title">
        {t('errors.title')}
      </h2>
      <ul>
        {errors.map((e) => (
          <li key={`${e.field ?? ''}:${e.message}`}>
            {e.field ? (
              <a
                href={`#${e.field}`}
                onClick={(ev) => {
                  ev.preventDefault();
                  document.getElementById(e.field!)?.focus();
                }}
              >
                {e.message}
              </a>
            ) : (
              e.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
