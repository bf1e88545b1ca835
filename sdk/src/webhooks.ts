// Checking an event webhook (SPEC §9): `IO-Credits-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, t + "." + rawBody)>`. Any `v1` may match, so a receiver keeps working while
// its endpoint's secret is being replaced (both are sent then). Web Crypto only: Node 20+ and
// browsers alike.
//
//   const event = await webhooks.verify(rawBody, request.headers.get('io-credits-signature'), secret);

import { WebhookVerificationError } from './errors.js';

export const SIGNATURE_HEADER = 'IO-Credits-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** An event as it is delivered (SPEC §9). */
export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  accountId: string;
  data: Record<string, unknown>;
}

/**
 * The event, once the signature over the raw body (as received, before any JSON parsing) holds
 * under `secret` and its timestamp is within `toleranceSeconds` of now; a WebhookVerificationError
 * saying why otherwise.
 */
export async function verify(
  rawBody: string,
  header: string | null | undefined,
  secret: string,
  options: { toleranceSeconds?: number; nowMs?: number } = {},
): Promise<WebhookEvent> {
  if (!header) throw new WebhookVerificationError('no signature header');
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamps = parts.filter(([name]) => name === 't').map(([, value]) => Number(value));
  const signatures = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
  const timestamp = timestamps[0];
  if (timestamps.length !== 1 || timestamp === undefined || !Number.isSafeInteger(timestamp))
    throw new WebhookVerificationError('no timestamp');
  if (signatures.length === 0) throw new WebhookVerificationError('no v1 signature');
  const expected = await hmacHex(secret, `${timestamp}.${rawBody}`);
  if (!signatures.some((given) => constantTimeEqual(given, expected)))
    throw new WebhookVerificationError('signature does not match');
  const ageSeconds = Math.abs((options.nowMs ?? Date.now()) / 1000 - timestamp);
  if (ageSeconds > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    throw new WebhookVerificationError('timestamp outside the tolerance');
  return JSON.parse(rawBody) as WebhookEvent;
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return hex(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message))));
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Compares every character whatever the first difference, so timing tells nothing of the signature. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
