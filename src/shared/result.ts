// The envelope every IPC call answers with: a value, or an error with a stable code for the
// program and a German sentence the UI can show as it is.

export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'not_configured',
  'smtp_failed',
  'run_in_progress',
  'weak_protection',
  'unknown_channel',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One field the input was refused for: its path (`customer.email`) and a validation code. */
export interface FieldIssue {
  path: string;
  code: string;
}

export interface AppError {
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(
  code: ErrorCode,
  message: string,
  issues?: FieldIssue[],
): Result<T> {
  return issues
    ? { ok: false, error: { code, message, issues } }
    : { ok: false, error: { code, message } };
}
