// The signature on every event webhook (SPEC §9): `IO-Credits-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, t + "." + body)>`, the scheme Stripe uses, so a receiver checks both that we
// sent the body and that it is recent (a replayed request carries an old `t`). `verifyWebhook`
// is what a receiver runs; it is exported from the package for them (docs/api.md).

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'IO-Credits-Signature';
/** How old a signature a receiver accepts by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signatureOf(body: string, secret: string, timestampSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

export type Verification = { valid: true; timestamp: number } | { valid: false; reason: string };

/**
 * Checks an event webhook: the header's HMAC over the raw body (as received, before any JSON
 * parsing) under the endpoint's secret, and its age. Any `v1` in the header may match, so a
 * receiver keeps working while a secret is being replaced.
 */
export function verifyWebhook(
  body: string,
  header: string | null | undefined,
  secret: string,
  options: { toleranceSeconds?: number; nowMs?: number } = {},
): Verification {
  if (!header) return { valid: false, reason: 'no signature header' };
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamps = parts.filter(([name]) => name === 't').map(([, value]) => Number(value));
  const signatures = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
  const timestamp = timestamps[0];
  if (timestamps.length !== 1 || timestamp === undefined || !Number.isSafeInteger(timestamp))
    return { valid: false, reason: 'no timestamp' };
  if (signatures.length === 0) return { valid: false, reason: 'no v1 signature' };
  const expected = Buffer.from(signatureOf(body, secret, timestamp).split('v1=')[1]!, 'hex');
  const matches = signatures.some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) return { valid: false, reason: 'signature does not match' };
  const ageSeconds = Math.abs((options.nowMs ?? Date.now()) / 1000 - timestamp);
  if (ageSeconds > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    return { valid: false, reason: 'timestamp outside the tolerance' };
  return { valid: true, timestamp };
}
