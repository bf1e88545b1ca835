// The design system's components: amounts and dates as people read them, alerts, the loading,
// empty and error states every view uses, badges, dialogs and form fields.

import { type ReactNode, useEffect, useId, useRef } from 'react';
import { ApiError, NetworkError } from '../api/client';
import { formatUsd, isNegative } from '../money';

/** An amount of credits (1 credit = 1 USD) from the API's decimal string. */
export function Amount({
  value,
  signed = false,
  colour = false,
}: {
  value: string;
  signed?: boolean;
  colour?: boolean;
}) {
  const positive = signed && colour && !isNegative(value) && formatUsd(value, { signed: true }).startsWith('+');
  return <span className={`num${positive ? ' positive' : ''}`}>{formatUsd(value, { signed })}</span>;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** A moment in the viewer's time zone; UTC on hover. */
export function DateTime({ iso, date = false }: { iso: string; date?: boolean }) {
  const at = new Date(iso);
  return (
    <time dateTime={iso} title={`${at.toISOString().replace('T', ' ').slice(0, 19)} UTC`} className="num">
      {(date ? dateOnly : dateTime).format(at)}
    </time>
  );
}

export function Alert({
  tone,
  title,
  children,
}: {
  tone: 'error' | 'warn' | 'good' | 'info';
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title ? <strong>{title}</strong> : null}
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="loading-row">
        <span className="spinner" aria-hidden="true" /> {label}
      </span>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state">{children}</div>;
}

/** What went wrong, as the API said it (problem+json `detail`), with a retry where one can help. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const network = error instanceof NetworkError;
  const detail =
    error instanceof ApiError ? error.problem.detail : error instanceof Error ? error.message : String(error);
  return (
    <div className="alert alert-error" role="alert">
      <strong>
        {network
          ? 'Can not reach IO Credits'
          : error instanceof ApiError
            ? error.problem.title
            : 'Something went wrong'}
      </strong>
      <div>{detail}</div>
      {retry ? (
        <div>
          <button type="button" className="btn btn-small" onClick={retry}>
            Try again
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** A failed action's error, as the API said it, under `title`; nothing while it has not failed. */
export function ActionError({ action, title }: { action: { isError: boolean; error: unknown }; title: string }) {
  return action.isError ? (
    <Alert tone="error" title={title}>
      {problemText(action.error)}
    </Alert>
  ) : null;
}

export function problemText(error: unknown): string {
  return error instanceof ApiError || error instanceof NetworkError || error instanceof Error
    ? error.message
    : String(error);
}

const TONES: Record<string, string> = {
  paid: 'good',
  delivered: 'good',
  completed: 'good',
  approved: 'good',
  pending_review: 'warn',
  pending_payment: 'warn',
  pending: 'warn',
  failed: 'bad',
  rejected: 'bad',
  reversed: 'bad',
  expired: 'bad',
};

export function StatusBadge({ status }: { status: string }) {
  const tone = TONES[status];
  return <span className={`badge${tone ? ` badge-${tone}` : ''}`}>{status.replace(/_/g, ' ')}</span>;
}

/** A modal dialog on the native <dialog>: focus moves into it and back, Escape closes it. */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      {open ? (
        <div className="dialog-body">
          <div className="dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="btn btn-small" onClick={onClose} aria-label="Close">
              ✕
            </button>
          </div>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

/** A labelled input with its hint and error, wired for screen readers. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint?: ReactNode;
  onBlur?: () => void;
  className?: string;
  type?: 'text' | 'date';
  inputMode?: 'decimal';
  autoComplete?: 'off';
  spellCheck?: boolean;
}

/** A labelled text input: its hint and error wired for screen readers, the value kept by the caller. */
export function TextField({ label, hint, error, onChange, ...input }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(props) => <input {...props} {...input} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** An amount in dollars and cents, typed as text: a number input would round it through a float. */
export function AmountField(props: Omit<TextFieldProps, 'type' | 'inputMode' | 'autoComplete'>) {
  return <TextField {...props} inputMode="decimal" autoComplete="off" />;
}
