import { describe, expect, it } from 'vitest';
import { formatGermanDate, isIsoDate, parseGermanDate } from '../../src/shared/dates';
import { travelDate } from '../../src/shared/travel-date';

describe('the travel date', () => {
  it('is the earliest start date among the services', () => {
    expect(
      travelDate([
        { startDate: '2027-03-10' },
        { startDate: '2027-01-02' },
        { startDate: '2027-02-01' },
      ]),
    ).toBe('2027-01-02');
  });
  it('does not exist for a booking without services', () => {
    expect(travelDate([])).toBeNull();
  });
  it('compares across years and months correctly', () => {
    expect(travelDate([{ startDate: '2027-01-01' }, { startDate: '2026-12-31' }])).toBe(
      '2026-12-31',
    );
  });
});

describe('dates as agents type them', () => {
  it('reads dd.mm.yyyy, with or without leading zeros', () => {
    expect(parseGermanDate('03.01.2027')).toBe('2027-01-03');
    expect(parseGermanDate('3.1.2027')).toBe('2027-01-03');
  });
  it('refuses days that do not exist', () => {
    expect(parseGermanDate('30.02.2027')).toBeNull();
    expect(parseGermanDate('29.02.2027')).toBeNull();
    expect(parseGermanDate('29.02.2028')).toBe('2028-02-29');
    expect(parseGermanDate('2027-01-03')).toBeNull();
    expect(parseGermanDate('')).toBeNull();
  });
  it('shows stored dates as dd.mm.yyyy', () => {
    expect(formatGermanDate('2027-01-03')).toBe('03.01.2027');
  });
  it('accepts only real ISO days in the store', () => {
    expect(isIsoDate('2027-01-03')).toBe(true);
    expect(isIsoDate('2027-13-03')).toBe(false);
    expect(isIsoDate('2027-1-3')).toBe(false);
  });
});
