// The marking rule, case by case, in the order PRODUCT.md and the README state it.
import { describe, expect, it } from 'vitest';
import { decideMark, type RuleInput } from '../../src/shared/marking-rule';

const TODAY = '2026-12-04';

function input(overrides: Partial<RuleInput> = {}): RuleInput {
  return {
    atmosfairEnabled: true,
    atmosfairMail: true,
    status: 'booked',
    customerObjected: false,
    customerEmail: 'anna@example.org',
    services: [{ id: 1, startDate: '2027-01-03' }],
    today: TODAY,
    lastSent: null,
    ...overrides,
  };
}

describe('the marking rule', () => {
  it('1. marks nothing and touches nothing while atmosfair is disabled for the agency', () => {
    expect(decideMark(input({ atmosfairEnabled: false }))).toEqual({
      decision: 'ignore',
      reason: 'atmosfair_disabled',
    });
  });

  describe('2. withdraws when the mail is ruled out', () => {
    it('the checkbox Atmosfair Mailversand is unticked', () => {
      expect(decideMark(input({ atmosfairMail: false }))).toEqual({
        decision: 'unmark',
        reason: 'unticked',
      });
    });
    it('the booking is cancelled', () => {
      expect(decideMark(input({ status: 'cancelled' }))).toEqual({
        decision: 'unmark',
        reason: 'cancelled',
      });
    });
    it('the customer objected, whatever the booking says', () => {
      expect(decideMark(input({ customerObjected: true }))).toEqual({
        decision: 'unmark',
        reason: 'objected',
      });
    });
    it.each([
      '',
      '   ',
      'anna',
      'anna@',
      '@example.org',
      'anna@example',
      'anna @example.org',
      'a@b.de\r\nBcc: x@y.de',
    ])('the customer e-mail %j is missing or not valid', (email) => {
      expect(decideMark(input({ customerEmail: email }))).toEqual({
        decision: 'unmark',
        reason: 'no_email',
      });
    });
    it('an unticked box wins over every later reason', () => {
      expect(
        decideMark(input({ atmosfairMail: false, status: 'cancelled', customerEmail: '' })),
      ).toEqual({
        decision: 'unmark',
        reason: 'unticked',
      });
    });
  });

  describe('3. withdraws when the trip does not lie ahead', () => {
    it('a booking without services has no travel date', () => {
      expect(decideMark(input({ services: [] }))).toEqual({
        decision: 'unmark',
        reason: 'no_travel_date',
      });
    });
    it('a travel date of today is not in the future', () => {
      expect(decideMark(input({ services: [{ id: 1, startDate: TODAY }] }))).toEqual({
        decision: 'unmark',
        reason: 'travel_date_not_future',
      });
    });
    it('a travel date in the past is not in the future', () => {
      expect(decideMark(input({ services: [{ id: 1, startDate: '2026-11-30' }] }))).toEqual({
        decision: 'unmark',
        reason: 'travel_date_not_future',
      });
    });
    it('the earliest service decides: one past service makes the whole trip past', () => {
      const services = [
        { id: 1, startDate: '2027-01-03' },
        { id: 2, startDate: '2026-12-01' },
      ];
      expect(decideMark(input({ services }))).toEqual({
        decision: 'unmark',
        reason: 'travel_date_not_future',
      });
    });
    it('tomorrow is in the future', () => {
      expect(decideMark(input({ services: [{ id: 1, startDate: '2026-12-05' }] })).decision).toBe(
        'mark',
      );
    });
  });

  describe('4. marks what the customer has not been told yet', () => {
    it('first mail: no atmosfair mail was ever sent for the booking', () => {
      expect(decideMark(input())).toEqual({ decision: 'mark', reason: 'first_mail' });
    });
    it('service added: a service the last sent mail did not cover', () => {
      const services = [
        { id: 1, startDate: '2027-01-03' },
        { id: 2, startDate: '2027-01-10' },
      ];
      expect(
        decideMark(
          input({ services, lastSent: { recipient: 'anna@example.org', serviceIds: [1] } }),
        ),
      ).toEqual({ decision: 'mark', reason: 'service_added' });
    });
    it('new recipient: the e-mail differs from the one the last mail went to', () => {
      expect(
        decideMark(
          input({
            customerEmail: 'anna.neu@example.org',
            lastSent: { recipient: 'anna@example.org', serviceIds: [1] },
          }),
        ),
      ).toEqual({ decision: 'mark', reason: 'new_recipient' });
    });
    it('the same address in other letter case is not a new recipient', () => {
      expect(
        decideMark(
          input({
            customerEmail: 'Anna@Example.org',
            lastSent: { recipient: 'anna@example.org', serviceIds: [1] },
          }),
        ),
      ).toEqual({ decision: 'unmark', reason: 'up_to_date' });
    });
    it('editing services alone does not cause a new mail', () => {
      // Same service id, other date: an edit, not an addition.
      expect(
        decideMark(
          input({
            services: [{ id: 1, startDate: '2027-02-01' }],
            lastSent: { recipient: 'anna@example.org', serviceIds: [1] },
          }),
        ),
      ).toEqual({ decision: 'unmark', reason: 'up_to_date' });
    });
    it('removing services alone does not cause a new mail', () => {
      expect(
        decideMark(
          input({
            services: [{ id: 1, startDate: '2027-01-03' }],
            lastSent: { recipient: 'anna@example.org', serviceIds: [1, 2] },
          }),
        ),
      ).toEqual({ decision: 'unmark', reason: 'up_to_date' });
    });
  });
});
