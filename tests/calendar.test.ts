import { describe, expect, it } from 'vitest';
import { addBusinessDays, addCalendarMonths, parseIso } from '../core/index.js';

const at = (isoText: string) => Date.parse(isoText);
const iso = (ms: number) => new Date(ms).toISOString();

describe('purchased credit expires twelve calendar months after purchase (UTC)', () => {
  it.each([
    ['2026-01-31T00:00:00.000Z', '2027-01-31T00:00:00.000Z'],
    ['2028-02-29T10:30:00.000Z', '2029-02-28T10:30:00.000Z'],
    ['2027-02-28T23:59:59.999Z', '2028-02-28T23:59:59.999Z'],
    ['2026-12-31T23:59:59.000Z', '2027-12-31T23:59:59.000Z'],
    ['2026-03-31T00:00:00.000Z', '2027-03-31T00:00:00.000Z'],
  ])('%s → %s', (from, to) => {
    expect(iso(addCalendarMonths(at(from), 12))).toBe(to);
  });

  it('clamps to the last day of a shorter month', () => {
    expect(iso(addCalendarMonths(at('2026-01-31T12:00:00.000Z'), 1))).toBe('2026-02-28T12:00:00.000Z');
    expect(iso(addCalendarMonths(at('2028-01-31T12:00:00.000Z'), 1))).toBe('2028-02-29T12:00:00.000Z');
    expect(iso(addCalendarMonths(at('2026-05-31T00:00:00.000Z'), 1))).toBe('2026-06-30T00:00:00.000Z');
  });
});

describe('withdrawals are expected 7 business days (Mon–Fri, UTC) after the request', () => {
  it.each([
    ['2026-11-23T09:00:00.000Z', '2026-12-02T09:00:00.000Z'], // Monday → Wednesday next week
    ['2026-11-27T09:00:00.000Z', '2026-12-08T09:00:00.000Z'], // Friday → Tuesday after next
    ['2026-11-28T09:00:00.000Z', '2026-12-08T09:00:00.000Z'], // Saturday counts from Monday
    ['2026-11-29T23:59:00.000Z', '2026-12-08T23:59:00.000Z'], // Sunday
  ])('%s → %s', (from, to) => {
    expect(iso(addBusinessDays(at(from), 7))).toBe(to);
  });
});

describe('dates in requests are read strictly', () => {
  it.each([
    ['2026-02-28', '2026-02-28T00:00:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2026-11-24T10:00:00Z', '2026-11-24T10:00:00.000Z'],
    ['2026-11-24T10:00Z', '2026-11-24T10:00:00.000Z'],
    ['2026-11-24T10:00:00.5+02:00', '2026-11-24T08:00:00.500Z'],
  ])('%s is %s', (text, expected) => {
    expect(iso(parseIso(text)!)).toBe(expected);
  });

  it.each([
    '2026-02-29',
    '2026-02-30',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-11-24T24:00:00Z',
    '2026-11-24T10:60Z',
    '2026-11-24T10:00:00',
    '2026-11-24T10:00:00+24:00',
    '24/11/2026',
    'yesterday',
    '',
  ])('%j is refused', (text) => {
    expect(parseIso(text)).toBeUndefined();
  });
});
