// Money in the app: the API's decimal strings ("12.50", "-3.000125") are shown as they are,
// grouped and signed by string operations, and compared as exact integers (BigInt micro-credits).
// No amount ever becomes a float, except a chart's bar heights (chartValue), which are geometry.

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,6}))?$/;
const MICROS = 1_000_000n;

function parts(value: string): { negative: boolean; whole: string; fraction: string } {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new Error(`not a decimal amount: ${value}`);
  return { negative: match[1] === '-', whole: match[2]!.replace(/^0+(?=\d)/, ''), fraction: match[3] ?? '' };
}

/** "1234.5" → "$1,234.50"; negative with a minus sign; `signed` puts a + on positive amounts. */
export function formatUsd(value: string, options: { signed?: boolean } = {}): string {
  const { negative, whole, fraction } = parts(value);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = fraction.padEnd(2, '0');
  const zero = /^0*$/.test(whole + fraction);
  const sign = negative && !zero ? '−' : options.signed && !zero ? '+' : '';
  return `${sign}$${grouped}.${cents}`;
}

/** Exact micro-credits of a decimal string. */
export function microsOf(value: string): bigint {
  const { negative, whole, fraction } = parts(value);
  const micros = BigInt(whole) * MICROS + BigInt(fraction.padEnd(6, '0'));
  return negative ? -micros : micros;
}

export function isNegative(value: string): boolean {
  return microsOf(value) < 0n;
}

export function isZero(value: string): boolean {
  return microsOf(value) === 0n;
}

/** Whole cents typed by a person ("25", "25.5", "25.50"), or null when it is not such an amount. */
export function centsOfInput(text: string): bigint | null {
  const match = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

/** Cents as the API's decimal string: 1250n → "12.50". */
export function decimalOfCents(cents: bigint): string {
  const whole = cents / 100n;
  const rest = (cents % 100n).toString().padStart(2, '0');
  return `${whole}.${rest}`;
}

/** Micro-credits as the API's decimal string: 12_500_000n → "12.500000", -1n → "-0.000001". */
export function decimalOfMicros(value: bigint): string {
  const magnitude = value < 0n ? -value : value;
  const fraction = (magnitude % MICROS).toString().padStart(6, '0');
  return `${value < 0n ? '-' : ''}${magnitude / MICROS}.${fraction}`;
}

/** A bar's height for the chart only: plotting needs numbers, and nothing is added up from it. */
export function chartValue(value: string): number {
  return Number(value);
}

/** An amount rounded up to whole cents, as a purchase must be: "5.000125" → 501n. */
export function centsUp(value: string): bigint {
  const micros = microsOf(value);
  return micros <= 0n ? 0n : (micros + 9_999n) / 10_000n;
}

/** Bounds the API gives as decimal strings ("5.00"), as whole cents for a form to compare against. */
export function centsRange(range: { min: string; max: string }): { min: bigint; max: bigint } {
  return { min: centsUp(range.min), max: centsUp(range.max) };
}
