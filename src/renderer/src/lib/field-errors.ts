// Field errors keyed by path (`customer.email`, `services.0.startDate`), from the shared zod
// schemas while the agent types and from the main process when it refuses a save.
import type { z } from 'zod';
import type { FieldIssue } from '../../../shared/result';
import { de } from '../i18n/de';

export type ValidationCode = keyof typeof de.validation;

/** Path → validation code; the first issue per path wins. */
export type FieldErrors = Readonly<Record<string, ValidationCode>>;

export function isValidationCode(code: string): code is ValidationCode {
  return Object.hasOwn(de.validation, code);
}

export function errorsFromZod(error: z.ZodError | undefined): FieldErrors {
  if (!error) return {};
  return collect(
    error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.message })),
  );
}

export function errorsFromIssues(issues: readonly FieldIssue[] | undefined): FieldErrors {
  return collect(issues ?? []);
}

function collect(issues: readonly FieldIssue[]): FieldErrors {
  const errors: Record<string, ValidationCode> = {};
  for (const { path, code } of issues) {
    // zod's own messages (wrong type, unknown enum value) are no codes of ours.
    errors[path] ??= isValidationCode(code) ? code : 'invalid';
  }
  return errors;
}

export function withoutPath(errors: FieldErrors, path: string): FieldErrors {
  if (!(path in errors)) return errors;
  const rest = { ...errors };
  delete rest[path];
  return rest;
}
