// The IPC contract: every channel between renderer and main, with the schema its input must
// pass and the type of its result. Main's handlers and the preload's `window.api` are both
// typed from this one map.
import { z } from 'zod';
import { agencySettingsSchema, bookingInputSchema } from './domain';
import type { AgencySettings, BookingInput, BookingStatus, Customer, ServiceInput } from './domain';
import type { MarkReason, RuleOutcome } from './marking-rule';
import type { Result } from './result';

// ---------------------------------------------------------------------------------------------
// Result types

export interface SettingsView {
  settings: AgencySettings;
  /** Whether an SMTP password is stored. The password itself never leaves the main process. */
  smtpPasswordSet: boolean;
  /** False when the stored password cannot be decrypted on this PC: it must be entered again. */
  smtpPasswordReadable: boolean;
  /** 'os': encrypted by the system's key store; 'weak': only obscured (Linux without keyring). */
  passwordProtection: 'os' | 'weak' | 'none';
  /** Where test mode writes its `.eml` files when no folder is set. */
  defaultTestFolder: string;
}

export type MailState = 'marked' | 'sending' | 'retry' | 'uncertain' | 'sent' | 'failed' | 'none';

/** Every state a mark moves through; see the README's "delivery states". */
export type MarkState =
  'marked' | 'sending' | 'retry' | 'uncertain' | 'sent' | 'failed' | 'withdrawn';

export interface BookingListItem {
  id: number;
  number: string;
  customerName: string;
  travelDate: string | null;
  status: BookingStatus;
  mailState: MailState;
}

export interface StoredService extends ServiceInput {
  id: number;
}

export interface SentMailSummary {
  id: number;
  sentAt: string;
  recipient: string;
  subject: string;
  messageId: string;
  serviceIds: number[];
}

export interface MarkSummary {
  id: number;
  reason: MarkReason;
  state: MarkState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastReplyCode: number | null;
  withdrawnReason: string | null;
  markedAt: string;
  updatedAt: string;
}

export interface MailPanel {
  /** The open mark (waiting, being sent, retrying or uncertain), if any. */
  mark: MarkSummary | null;
  /** The outcome of the marking rule at the last save or night run, with its reason. */
  lastDecision: (RuleOutcome & { decidedAt: string }) | null;
  sent: SentMailSummary[];
  /** Every mark the booking ever had, newest first. */
  history: MarkSummary[];
}

export interface BookingDetail {
  id: number;
  number: string;
  status: BookingStatus;
  customer: Customer;
  atmosfairMail: boolean;
  services: StoredService[];
  travelDate: string | null;
  createdAt: string;
  updatedAt: string;
  mail: MailPanel;
}

export interface BookingDraft {
  atmosfairEnabled: boolean;
  booking: BookingInput;
}

export interface SaveBookingResult {
  booking: BookingDetail;
  outcome: RuleOutcome;
}

export interface MailPreview {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface NightRunSummary {
  startedAt: string;
  finishedAt: string;
  trigger: 'schedule' | 'manual' | 'headless';
  testMode: boolean;
  due: number;
  sent: number;
  /** Written as `.eml` in test mode; the mark stays in place. */
  written: number;
  withdrawn: number;
  failed: number;
  /** Temporary failures kept for a later run. */
  retrying: number;
  /** Handed over, but no reply came: not resent automatically. */
  uncertain: number;
}

export interface NightRunStatus {
  nextRunAt: string;
  lastRun: (NightRunSummary & { error: string | null }) | null;
  /** Marks waiting for a run (new and retrying). */
  pending: number;
  /** While a run of this app is working: how far it is. */
  running: { done: number; total: number } | null;
}

export interface OutboxItem {
  markId: number;
  bookingId: number;
  bookingNumber: string;
  customerName: string;
  state: 'marked' | 'sending' | 'retry' | 'failed' | 'uncertain';
  reason: MarkReason;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastReplyCode: number | null;
  markedAt: string;
}

export interface SentMailView {
  id: number;
  bookingId: number;
  sentAt: string;
  recipient: string;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

// ---------------------------------------------------------------------------------------------
// Input schemas

const nothing = z.undefined();
const byId = z.object({ id: z.number().int().positive() }).strict();
const byMarkId = z.object({ markId: z.number().int().positive() }).strict();

/** A phantom value that carries only a type. */
function returns<T>(): T {
  return undefined as T;
}

export const contract = {
  'settings.get': { input: nothing, result: returns<SettingsView>() },
  'settings.save': { input: agencySettingsSchema, result: returns<SettingsView>() },
  'settings.setSmtpPassword': {
    input: z
      .object({
        password: z.string().max(1000, 'too_long'),
        /** The agent agreed to store it although it is only obscured (see passwordProtection). */
        acceptWeakProtection: z.boolean().optional(),
      })
      .strict(),
    result: returns<{ smtpPasswordSet: boolean }>(),
  },
  'settings.testConnection': { input: nothing, result: returns<{ message: string }>() },
  'bookings.list': {
    input: z.object({ query: z.string().max(200, 'too_long') }).strict(),
    result: returns<BookingListItem[]>(),
  },
  'bookings.get': { input: byId, result: returns<BookingDetail>() },
  'bookings.draft': { input: nothing, result: returns<BookingDraft>() },
  'bookings.save': { input: bookingInputSchema, result: returns<SaveBookingResult>() },
  'bookings.previewMail': { input: byId, result: returns<MailPreview>() },
  'bookings.sentMail': { input: byId, result: returns<SentMailView>() },
  'outbox.list': { input: nothing, result: returns<OutboxItem[]>() },
  'outbox.retry': { input: byMarkId, result: returns<{ requeued: boolean }>() },
  'outbox.markSent': { input: byMarkId, result: returns<{ confirmed: boolean }>() },
  'nightRun.status': { input: nothing, result: returns<NightRunStatus>() },
  'nightRun.runNow': { input: nothing, result: returns<NightRunSummary>() },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export const CHANNELS = Object.keys(contract) as Channel[];

/** What the caller passes (before parsing). */
export type InputOf<C extends Channel> = z.input<Contract[C]['input']>;
/** What a handler receives (after parsing). */
export type ParsedInputOf<C extends Channel> = z.output<Contract[C]['input']>;
export type ResultOf<C extends Channel> = Contract[C]['result'];

// ---------------------------------------------------------------------------------------------
// The renderer's API: `window.api.bookings.save(input)` for channel `bookings.save`.

type Namespace<C extends string> = C extends `${infer N}.${string}` ? N : never;
type Method<C extends string, N extends string> = C extends `${N}.${infer M}` ? M : never;

type Call<C extends Channel> =
  undefined extends InputOf<C>
    ? () => Promise<Result<ResultOf<C>>>
    : (input: InputOf<C>) => Promise<Result<ResultOf<C>>>;

export type Api = {
  [N in Namespace<Channel>]: {
    [M in Method<Channel, N>]: Call<Extract<`${N}.${M}`, Channel>>;
  };
};

export type Invoke = (channel: Channel, input: unknown) => Promise<unknown>;

/** Builds `window.api` from a transport: the preload passes `ipcRenderer.invoke`. */
export function createApi(invoke: Invoke, channels: readonly Channel[] = CHANNELS): Api {
  const api: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const channel of channels) {
    const [namespace, method] = channel.split('.') as [string, string];
    api[namespace] ??= {};
    api[namespace][method] = (input?: unknown) => invoke(channel, input);
  }
  return api as unknown as Api;
}
