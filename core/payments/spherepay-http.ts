// Spherepay's HTTP API as both adapters call it (the checkout, core/payments/spherepay.ts, and
// reconciliation's list calls, core/reconcile/spherepay.ts): a bearer key, JSON both ways, a
// timeout per attempt, answers read as `{data: …}` against a schema, numbers kept as their source
// text (an amount never passes through a float). A call may be retried on 429 and 5xx, waiting
// what Retry-After asks or a doubling delay; only reads are (a POST has no idempotency key here).
// Whatever fails becomes ProviderUnavailable with the given message, Spherepay's words in the cause.

import * as z from 'zod';
import { ProviderUnavailable } from '../errors.js';

export const SPHEREPAY_BASE_URL = 'https://api.spherepay.co/v1';

export interface SpherepayClient {
  apiKey: string;
  baseUrl?: string;
  fetch?: typeof fetch;
}

export interface SpherepayCall {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** What the caller reads when the call fails. */
  unavailable: string;
  timeoutMs: number;
  /** Retries of a 429, a 5xx or a call without an answer, and the waits between them. */
  retry?: { retries: number; delayMs: number; maxDelayMs: number };
}

/** Calls Spherepay and answers the `data` of its answer, checked against `answer`. */
export async function spherepayRequest<T>(
  client: SpherepayClient,
  call: SpherepayCall,
  answer: z.ZodType<T>,
): Promise<T> {
  const retries = call.retry?.retries ?? 0;
  for (let attempt = 0; ; attempt += 1) {
    const outcome = await attemptOnce(client, call);
    if (outcome.kind === 'answer') return readAnswer(call, outcome.status, outcome.text, answer);
    if (attempt >= retries)
      throw new ProviderUnavailable(call.unavailable, {
        cause: new Error(`${call.method} ${call.path} failed after ${attempt + 1} attempt(s)`, {
          cause: outcome.cause,
        }),
      });
    const doubled = (call.retry?.delayMs ?? 0) * 2 ** attempt;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(call.retry?.maxDelayMs ?? 0, outcome.retryAfterMs ?? doubled)),
    );
  }
}

type Attempt =
  | { kind: 'answer'; status: number; text: string }
  | { kind: 'retry'; cause: unknown; retryAfterMs?: number };

async function attemptOnce(client: SpherepayClient, call: SpherepayCall): Promise<Attempt> {
  const doFetch = client.fetch ?? fetch;
  const query = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
  try {
    const response = await doFetch(`${client.baseUrl ?? SPHEREPAY_BASE_URL}${call.path}${query}`, {
      method: call.method,
      headers: {
        authorization: `Bearer ${client.apiKey}`,
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    const text = await response.text();
    if (response.status === 429 || response.status >= 500) {
      const retryAfterMs = retryAfter(response.headers.get('retry-after'));
      return {
        kind: 'retry',
        cause: new Error(`Spherepay answered ${response.status} to ${call.path}: ${text.slice(0, 500)}`),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    return { kind: 'answer', status: response.status, text };
  } catch (error) {
    // No answer: refused, reset, or over the timeout (the body included).
    return { kind: 'retry', cause: error };
  }
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function retryAfter(header: string | null, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d{1,6}$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function readAnswer<T>(call: SpherepayCall, status: number, text: string, answer: z.ZodType<T>): T {
  // What Spherepay answered goes to the logs with the cause, never to the buyer.
  if (status < 200 || status >= 300)
    throw new ProviderUnavailable(call.unavailable, {
      cause: new Error(`Spherepay answered ${status} to ${call.path}: ${text.slice(0, 500)}`),
    });
  let json: unknown;
  try {
    json = parseKeepingNumbers(text);
  } catch (error) {
    throw new ProviderUnavailable(call.unavailable, {
      cause: new Error(`Spherepay answered ${call.path} with a body that is not JSON`, { cause: error }),
    });
  }
  const parsed = z.object({ data: answer }).safeParse(json);
  if (!parsed.success)
    throw new ProviderUnavailable(call.unavailable, {
      cause: new Error(`Spherepay answered ${call.path} without the data expected: ${text.slice(0, 500)}`, {
        cause: parsed.error,
      }),
    });
  return parsed.data.data;
}

/** JSON with every number kept as its source text, so an amount is never read through a float. */
export function parseKeepingNumbers(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' ? (context?.source ?? String(value)) : value,
  );
}
