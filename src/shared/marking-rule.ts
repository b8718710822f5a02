// The marking rule: decides, on every save and again before every night-run mail, whether a
// booking is (still) marked for the atmosfair mail. Pure: no store, no clock, no I/O.
import type { BookingStatus } from './domain';
import { emailForWire, isValidEmail } from './domain';
import { travelDate } from './travel-date';

export type MarkReason = 'first_mail' | 'service_added' | 'new_recipient';

export type NoMarkReason =
  | 'unticked'
  | 'cancelled'
  | 'objected'
  | 'no_email'
  | 'no_travel_date'
  | 'travel_date_not_future'
  | 'up_to_date';

export type RuleOutcome =
  /** The booking is marked (an existing mark is kept, never doubled). */
  | { decision: 'mark'; reason: MarkReason }
  /** Not marked; a pending mark is withdrawn with this reason. */
  | { decision: 'unmark'; reason: NoMarkReason }
  /** atmosfair is off for the agency: nothing is marked and nothing is touched. */
  | { decision: 'ignore'; reason: 'atmosfair_disabled' };

export interface RuleInput {
  atmosfairEnabled: boolean;
  atmosfairMail: boolean;
  status: BookingStatus;
  customerObjected: boolean;
  customerEmail: string;
  services: readonly { id: number; startDate: string }[];
  /** Today's date in the agency's local time, `yyyy-mm-dd`. */
  today: string;
  /** The last atmosfair mail actually sent for this booking, if any. */
  lastSent: { recipient: string; serviceIds: readonly number[] } | null;
}

export function decideMark(input: RuleInput): RuleOutcome {
  // 1. The interface is switched off for the agency.
  if (!input.atmosfairEnabled) return { decision: 'ignore', reason: 'atmosfair_disabled' };

  // 2. The agent, the booking or the customer rule the mail out.
  if (!input.atmosfairMail) return unmark('unticked');
  if (input.status === 'cancelled') return unmark('cancelled');
  if (input.customerObjected) return unmark('objected');
  if (!isValidEmail(input.customerEmail)) return unmark('no_email');

  // 3. The trip must still lie ahead.
  const date = travelDate(input.services);
  if (date === null) return unmark('no_travel_date');
  if (date <= input.today) return unmark('travel_date_not_future');

  // 4. Something the customer has not been told yet.
  if (input.lastSent === null) return { decision: 'mark', reason: 'first_mail' };
  const covered = new Set(input.lastSent.serviceIds);
  if (input.services.some((service) => !covered.has(service.id))) {
    return { decision: 'mark', reason: 'service_added' };
  }
  if (normaliseEmail(input.customerEmail) !== normaliseEmail(input.lastSent.recipient)) {
    return { decision: 'mark', reason: 'new_recipient' };
  }
  return unmark('up_to_date');
}

/**
 * An address as the rule compares it: the form it is sent in (domain in punycode), in lower
 * case. `Anna@Bücher.de` and `anna@xn--bcher-kva.de` are the same recipient.
 */
export function normaliseEmail(address: string): string {
  return (emailForWire(address) ?? address.trim()).toLowerCase();
}

function unmark(reason: NoMarkReason): RuleOutcome {
  return { decision: 'unmark', reason };
}
