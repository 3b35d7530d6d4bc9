/**
 * A labelled text field (one line, or several) with its hint and its error, tied to the control
 * (aria-describedby, aria-invalid) as WCAG 1.3.1 and 3.3.1 ask. Native controls, styled like the
 * kit's: antd-mobile's Input puts aria attributes on its wrapper, not on the input.
 */
import type { InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from 'react';

interface Labelled {
  readonly id: string;
  readonly label: string;
  readonly hint?: string;
  readonly error?: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
}

export type FieldProps = Labelled & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'value'>;
export type TextAreaFieldProps = Labelled &
  Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id' | 'onChange' | 'value'>;

/** The label, hint and error around a control, and the attributes that tie the control to them. */
function Frame({
  id,
  label,
  hint,
  error,
  children,
}: Pick<Labelled, 'id' | 'label' | 'hint' | 'error'> & { children: (tie: Tie) => ReactNode }) {
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
      {children({
        id,
        name: id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': described || undefined,
      })}
    </div>
  );
}

interface Tie {
  readonly id: string;
  readonly name: string;
  readonly 'aria-invalid': true | undefined;
  readonly 'aria-describedby': string | undefined;
}

const classes = (own: string, extra?: string) => (extra ? `${own} ${extra}` : own);

export function Field({ id, label, hint, error, value, onChange, className, ...input }: FieldProps) {
  return (
    <Frame id={id} label={label} hint={hint} error={error}>
      {(tie) => (
        <input
          {...input}
          {...tie}
          className={classes('tv-input', className)}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Frame>
  );
}

export function TextAreaField({ id, label, hint, error, value, onChange, className, ...area }: TextAreaFieldProps) {
  return (
    <Frame id={id} label={label} hint={hint} error={error}>
      {(tie) => (
        <textarea
          {...area}
          {...tie}
          className={classes('tv-input tv-textarea', className)}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Frame>
  );
}
