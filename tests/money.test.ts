import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMicros,
  InvalidRequest,
  MAX_AMOUNT_MICROS,
  micros,
  parseCents,
  parseMicros,
  parsePositiveMicros,
} from '../core/index.js';

describe('amounts are read exactly from decimal text', () => {
  it.each([
    ['12.50', 12_500_000],
    ['0.000125', 125],
    ['-3', -3_000_000],
    ['0', 0],
    ['-0', 0],
    ['007.5', 7_500_000],
    ['1000000000', 1_000_000_000_000_000],
    ['999999999.999999', 999_999_999_999_999],
    ['0.1', 100_000],
    ['0.3', 300_000],
  ])('%s is %i micros', (text, expected) => {
    expect(parseMicros(text)).toBe(expected);
  });

  it.each([
    '',
    ' ',
    '1e3',
    '1E3',
    'NaN',
    'Infinity',
    '-Infinity',
    '+1',
    '1.',
    '.5',
    '1.0000001',
    '0x10',
    '1,000',
    '1 000',
    ' 1',
    '1 ',
    '1000000000.000001',
    '1000000001',
    '99999999999',
    '--1',
    '1-',
    '١٢',
    '12.5.0',
    'null',
  ])('refuses %j', (text) => {
    expect(() => parseMicros(text)).toThrow(InvalidRequest);
  });

  it('refuses non-strings', () => {
    expect(() => parseMicros(12 as unknown as string)).toThrow(InvalidRequest);
  });

  it('purchases, grants and withdrawals are whole cents and positive', () => {
    expect(parseCents('5.00')).toBe(5_000_000);
    expect(() => parseCents('5.001')).toThrow(InvalidRequest);
    expect(() => parseCents('0')).toThrow(InvalidRequest);
    expect(() => parsePositiveMicros('-1')).toThrow(InvalidRequest);
    expect(parsePositiveMicros('0.000001')).toBe(1);
  });

  it('0.1 + 0.2 is exactly 0.3', () => {
    expect(formatMicros(micros(parseMicros('0.1') + parseMicros('0.2')))).toBe('0.30');
  });
});

describe('amounts are written as decimal strings', () => {
  it.each([
    [12_500_000, '12.50'],
    [125, '0.000125'],
    [-3_250_000, '-3.25'],
    [0, '0.00'],
    [1, '0.000001'],
    [10_000_000, '10.00'],
    [1_000_000_000_000_000, '1000000000.00'],
  ])('%i micros is %s', (value, text) => {
    expect(formatMicros(micros(value))).toBe(text);
  });

  it('format and parse round-trip every amount in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_AMOUNT_MICROS, max: MAX_AMOUNT_MICROS }), (value) => {
        expect(parseMicros(formatMicros(micros(value)))).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses to brand a float', () => {
    expect(() => micros(0.5)).toThrow();
  });
});
