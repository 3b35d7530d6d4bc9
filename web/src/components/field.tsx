/**
 * A labelled text field with its hint and its error, tied to the input (aria-describedby,
 * aria-invalid) as WCAG 1.3.1 and 3.3.1 ask. A native input, styled like the kit's: antd-mobile's
 * Input puts aria attributes on its wrapper, not on the input.
 */
import type { InputHTMLAttributes } from 'react';

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'value'> {
  readonly id: string;
  readonly label: string;
  readonly hint?: string;
  readonly error?: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
}

export function Field({ id, label, hint, error, value, onChange, className, ...input }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={error ? 'tv-field tv-field-error' : 'tv-field'}>
      <label className="tv-label" htmlFor={id}>
        {label}
      </label>
      {hint && (
        <p className="tv-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="tv-error-message" id={`${id}-error`}>
          {error}
        </p>
      )}
      <input
        {...input}
        className={className ? `tv-input ${className}` : 'tv-input'}
        id={id}
        name={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}
