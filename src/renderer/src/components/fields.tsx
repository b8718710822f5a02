// Labelled form fields with their error message: every input has a <label htmlFor>, and an error
// is tied to its input with aria-describedby so screen readers and tests find it at the field.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ValidationCode } from '../lib/field-errors';

type Span = 1 | 2 | 3 | 4 | 6;

interface FieldFrameProps {
  id: string;
  label: string;
  error?: ValidationCode | undefined;
  hint?: string | undefined;
  span?: Span;
  startRow?: boolean | undefined;
  children: ReactNode;
}

function FieldFrame(props: FieldFrameProps) {
  const { id, label, error, hint, span = 2, startRow, children } = props;
  const { t } = useTranslation();
  const classes = ['field', `span-${span}`, startRow ? 'row-start' : '', error ? 'has-error' : ''];
  return (
    <div className={classes.filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} data-testid={`${id}-error`}>
          {t(`validation.${error}`)}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(id: string, error: unknown, hint: unknown): string | undefined {
  if (error) return `${id}-error`;
  if (hint) return `${id}-hint`;
  return undefined;
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: ValidationCode | undefined;
  hint?: string | undefined;
  placeholder?: string | undefined;
  span?: Span;
  startRow?: boolean;
  type?: 'text' | 'email' | 'password' | 'tel' | 'url' | 'search';
  inputMode?: 'text' | 'numeric' | 'email' | 'tel' | 'url' | 'search';
  autoComplete?: string;
  disabled?: boolean;
  maxLength?: number;
}

export function TextField(props: TextFieldProps) {
  const { id, label, value, onChange, error, hint, span, startRow, type = 'text', ...rest } = props;
  return (
    <FieldFrame
      id={id}
      label={label}
      error={error}
      hint={hint}
      span={span ?? 2}
      startRow={startRow}
    >
      <input
        id={id}
        name={id}
        type={type}
        value={value}
        placeholder={rest.placeholder}
        inputMode={rest.inputMode}
        autoComplete={rest.autoComplete ?? 'off'}
        disabled={rest.disabled}
        maxLength={rest.maxLength}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onChange={(event) => onChange(event.target.value)}
      />
    </FieldFrame>
  );
}

export interface Option<V extends string> {
  value: V;
  label: string;
}

interface SelectFieldProps<V extends string> {
  id: string;
  label: string;
  value: V;
  options: readonly Option<V>[];
  onChange: (value: V) => void;
  error?: ValidationCode | undefined;
  span?: Span;
  disabled?: boolean;
}

export function SelectField<V extends string>(props: SelectFieldProps<V>) {
  const { id, label, value, options, onChange, error, span, disabled } = props;
  return (
    <FieldFrame id={id} label={label} error={error} span={span ?? 2}>
      <select
        id={id}
        name={id}
        value={value}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, undefined)}
        onChange={(event) => {
          const chosen = options.find((option) => option.value === event.target.value);
          if (chosen) onChange(chosen.value);
        }}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

interface CheckboxFieldProps {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string | undefined;
  disabled?: boolean;
  span?: Span;
}

export function CheckboxField(props: CheckboxFieldProps) {
  const { id, label, checked, onChange, hint, disabled, span = 6 } = props;
  return (
    <div className={`field checkbox span-${span}${disabled ? ' is-disabled' : ''}`}>
      <input
        id={id}
        name={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => onChange(event.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

interface RadioGroupProps<V extends string> {
  name: string;
  legend: string;
  value: V;
  options: readonly Option<V>[];
  onChange: (value: V) => void;
}

export function RadioGroup<V extends string>(props: RadioGroupProps<V>) {
  const { name, legend, value, options, onChange } = props;
  return (
    <fieldset className="radio-group span-6">
      <legend>{legend}</legend>
      {options.map((option) => {
        const id = `${name}-${option.value}`;
        return (
          <div className="radio" key={option.value}>
            <input
              id={id}
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <label htmlFor={id}>{option.label}</label>
          </div>
        );
      })}
    </fieldset>
  );
}
