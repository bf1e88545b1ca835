// The fetch every call goes through: each attempt sends a clone of the same request (same body,
// same Idempotency-Key), so a retry replays the call rather than making a second one. Retried:
// no answer (connection error, timeout), 408, 429 and 5xx; 429 and 503 wait the `Retry-After` the
// API gave, the rest back off exponentially with full jitter.

import { ConnectionError } from './errors.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  maxRetries: number;
  /** Each attempt's time limit, in ms (default 30,000). */
  timeoutMs: number;
  /** The first backoff's ceiling, in ms (default 500), doubling per retry, at most 8 s. */
  backoffMs: number;
  /** The longest Retry-After honoured, in ms (default 60,000); a longer one ends the retries. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 2,
  timeoutMs: 30_000,
  backoffMs: 500,
  maxRetryAfterMs: 60_000,
};

const MAX_BACKOFF_MS = 8_000;

export function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `Retry-After` in seconds or as an HTTP date, as ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Full jitter: a random wait up to the exponential ceiling of this retry (0-based). */
export function backoffMs(retry: number, options: RetryOptions, random = Math.random): number {
  return Math.floor(random() * Math.min(MAX_BACKOFF_MS, options.backoffMs * 2 ** retry));
}

export type Fetch = (request: Request) => Promise<Response>;

export function retryingFetch(
  fetchOnce: Fetch,
  options: RetryOptions,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Fetch {
  return async (request) => {
    for (let retry = 0; ; retry += 1) {
      const last = retry >= options.maxRetries;
      let response: Response;
      try {
        response = await fetchOnce(withTimeout(request.clone(), options.timeoutMs));
      } catch (error) {
        if (request.signal.aborted) throw error;
        if (last)
          throw new ConnectionError(`no answer from ${request.url} after ${retry + 1} attempts`, { cause: error });
        await sleep(backoffMs(retry, options));
        continue;
      }
      if (last || !retryable(response.status)) return response;
      const asked =
        response.status === 429 || response.status === 503
          ? retryAfterMs(response.headers.get('retry-after'))
          : undefined;
      if (asked !== undefined && asked > options.maxRetryAfterMs) return response;
      await response.body?.cancel();
      await sleep(asked ?? backoffMs(retry, options));
    }
  };
}

function withTimeout(request: Request, timeoutMs: number): Request {
  const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
  return new Request(request, { signal });
}
