// The main process's side of the IPC contract: one handler per channel. Every input is parsed
// with the contract's schema before anything touches the store; every answer is an envelope.
import { z } from 'zod';
import {
  contract,
  type Channel,
  type ParsedInputOf,
  type ResultOf,
} from '../../../shared/contract';
import { fail, ok, type FieldIssue, type Result } from '../../../shared/result';
import type { Logger } from '../logger';

export type HandlerMap = {
  [C in Channel]: (input: ParsedInputOf<C>) => Promise<ResultOf<C>> | ResultOf<C>;
};

/** The codes an error may carry to reach the agent as it is; anything else is "internal". */
const USER_FACING_CODES = [
  'not_found',
  'not_configured',
  'smtp_failed',
  'run_in_progress',
  'invalid_input',
  'weak_protection',
] as const;

/** An error that carries its own code, a sentence for the agent and, maybe, the fields. */
export interface UserFacingError {
  code: (typeof USER_FACING_CODES)[number];
  message: string;
  issues?: FieldIssue[];
}

/** Thrown by a handler to answer with this code and sentence. */
export class UserError extends Error implements UserFacingError {
  constructor(
    readonly code: UserFacingError['code'],
    message: string,
  ) {
    super(message);
  }
}

export function isUserFacing(error: unknown): error is UserFacingError {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof message === 'string' && (USER_FACING_CODES as readonly unknown[]).includes(code);
}

export type Invoke = (channel: string, input: unknown) => Promise<Result<unknown>>;

/**
 * Wraps the handlers into one entry point: an unknown channel, bad input and errors all become
 * envelopes.
 */
export function createInvoke(handlers: HandlerMap, log: Logger): Invoke {
  const ipcLog = log.child({ scope: 'ipc' });
  return async (channel, input) => {
    if (!Object.hasOwn(contract, channel)) {
      ipcLog.warn({ channel: String(channel).slice(0, 80) }, 'Unbekannter Kanal');
      return fail('unknown_channel', 'Diese Aktion gibt es nicht.');
    }
    const name = channel as Channel;
    const parsed = contract[name].input.safeParse(input);
    if (!parsed.success) {
      return fail(
        'invalid_input',
        'Bitte prüfen Sie die markierten Felder. Es wurde nichts gespeichert.',
        issuesOf(parsed.error),
      );
    }
    try {
      const handler = handlers[name] as (input: unknown) => Promise<unknown> | unknown;
      return ok(await handler(parsed.data));
    } catch (error) {
      if (isUserFacing(error)) return fail(error.code, error.message, error.issues);
      ipcLog.error({ err: error, channel: name }, 'Unerwarteter Fehler');
      return fail(
        'internal',
        'Ein unerwarteter Fehler ist aufgetreten. Es wurde nichts verändert; ' +
          'Einzelheiten stehen im Protokoll.',
      );
    }
  };
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    // Our schemas give codes as messages ('email', 'too_long'); zod's own checks keep their code.
    code: /^[a-z_]+$/.test(issue.message) ? issue.message : issue.code,
  }));
}
