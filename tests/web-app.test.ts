// The web app's pieces that need no browser: its money helpers (exact, from the API's decimal
// strings, never through a float) and its typed API client, generated from the OpenAPI document
// of the route table, which must not go stale.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypes } from '../scripts/api-types.js';
import { buildWeb, WEB_DIST } from '../scripts/web-build.js';
import { centsOfInput, centsUp, decimalOfCents, formatUsd, isNegative, isZero, microsOf } from '../web/src/money.js';

describe('money in the app', () => {
  it.each([
    ['0.00', {}, '$0.00'],
    ['12.5', {}, '$12.50'],
    ['1234567.891234', {}, '$1,234,567.891234'],
    ['-3.000125', {}, '−$3.000125'],
    ['25.00', { signed: true }, '+$25.00'],
    ['-0.00', { signed: true }, '$0.00'],
    ['1000000000.00', {}, '$1,000,000,000.00'],
  ] as const)('formats %s %j as %s', (value, options, shown) => {
    expect(formatUsd(value, options)).toBe(shown);
  });

  it('compares exactly where floats would not: 0.1 + 0.2 is 0.3', () => {
    expect(microsOf('0.1') + microsOf('0.2')).toBe(microsOf('0.3'));
    expect(microsOf('999999999.999999')).toBe(999_999_999_999_999n);
    expect(isNegative('-0.000001')).toBe(true);
    expect(isZero('0.000')).toBe(true);
  });

  it('reads amounts people type as whole cents, or refuses them', () => {
    expect(centsOfInput('25')).toBe(2500n);
    expect(centsOfInput(' 25.5 ')).toBe(2550n);
    expect(centsOfInput('10000.00')).toBe(1_000_000n);
    for (const bad of ['', '25.505', '-5', '1e3', '$5', '5,00', 'NaN']) expect(centsOfInput(bad), bad).toBeNull();
    expect(decimalOfCents(2550n)).toBe('25.50');
    expect(decimalOfCents(5n)).toBe('0.05');
  });

  it('rounds a shortfall up to the cent, as a purchase must cover it', () => {
    expect(centsUp('5.000125')).toBe(501n);
    expect(centsUp('5.00')).toBe(500n);
    expect(centsUp('0.00')).toBe(0n);
  });
});

describe('the built app', () => {
  it("is React's production build, even when built inside the test runner (NODE_ENV=test)", async () => {
    await buildWeb({ force: true, log: () => undefined });
    const html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
    const entry = /<script type="module"[^>]*src="\/([^"]+)"/.exec(html)![1]!;
    const code = readFileSync(join(WEB_DIST, entry), 'utf8');
    expect(code).not.toContain('should have a unique "key" prop');
    // What it shares with the server is plain data and rules (core/entry-types.ts, core/destination.ts,
    // …), never the server's validation library: zod alone would add about 25 KB gzipped.
    expect(code).not.toContain('_zod.def');
  });
});

describe('the typed API client', () => {
  it('is generated from the current route table (run `npm run api:types` after changing a route)', async () => {
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await apiTypes());
  });
});
