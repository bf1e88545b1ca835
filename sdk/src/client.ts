// The client of SPEC §13 on the types generated from the API's OpenAPI document (schema.ts) and
// openapi-fetch. A user's token acts for its own account; a service's token names the account it
// acts for (`accountId`, or `forAccount(id)` for one client per account).
//
//   const credits = createClient({ baseUrl, token: serviceToken, accountId: 'acct-42' });
//   const charge = await credits.charges.create({ deploymentId: 'dep-1', product: 'vm', amount: '12.50' });
//   if (charge.status === 'pending_payment') await credits.charges.waitForOutcome(charge.chargeId);

import createFetchClient from 'openapi-fetch';
import { ConflictError, errorFromAnswer } from './errors.js';
import * as proofs from './proofs.js';
import { DEFAULT_RETRY, type Fetch, type RetryOptions, retryAfterMs, retryingFetch } from './retry.js';
import type { paths } from './schema.js';
import * as webhooks from './webhooks.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<Op> = Op extends { responses: infer R }
  ? Json<R[200 & keyof R]> | Json<R[201 & keyof R]> | Json<R[202 & keyof R]>
  : never;
type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type Body<Op> = Op extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type Acting = 'accountId';

export type CheckResult = Ok<paths['/credits/check']['get']>;
export type Balance = Ok<paths['/credits/balance']['get']>;
export type ChargeCreated = Ok<paths['/credits/charges']['post']>;
export type Charge = Ok<paths['/credits/charges/{chargeId}']['get']>;
export type Refund = Ok<paths['/credits/charges/{chargeId}/refunds']['post']>;
export type Cancelled = Ok<paths['/credits/charges/{chargeId}/cancel']['post']>;
export type TransactionPage = Ok<paths['/credits/transactions']['get']>;
export type Transaction = TransactionPage['items'][number];
export type TransactionFilters = Omit<Query<paths['/credits/transactions']['get']>, Acting | 'cursor' | 'format'>;
export type ChargeInput = Omit<Body<paths['/credits/charges']['post']>, Acting> & { idempotencyKey?: string };
export type RefundInput = Omit<Body<paths['/credits/charges/{chargeId}/refunds']['post']>, Acting> & {
  idempotencyKey?: string;
};

export interface ClientOptions {
  /** The API's base URL, `https://…` (no trailing path). */
  baseUrl: string;
  /** A bearer token, or a function giving one per request (for tokens that expire). */
  token: string | (() => string | Promise<string>);
  /** The account a service token acts for; absent for a user's own token. */
  accountId?: string;
  /** Retries, backoff and each attempt's time limit (DEFAULT_RETRY). */
  retry?: Partial<RetryOptions>;
  /** The fetch to send with (default: the global one). */
  fetch?: Fetch;
}

export interface WaitOptions {
  /** How long to wait in all, in ms: by default until 5 minutes past the charge's grace deadline. */
  timeoutMs?: number;
  /** Between two reads of the charge, in ms (default 2,000). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

/** The grace deadline plus this, by default: the deadline's handler ends the charge at that deadline. */
const WAIT_PAST_GRACE_MS = 5 * 60_000;

/** The charge is still pending when waitForOutcome's time ran out. */
export class OutcomeTimeoutError extends Error {
  override name = 'OutcomeTimeoutError';
  constructor(readonly charge: Charge) {
    super(`charge ${charge.chargeId} is still ${charge.status}`);
  }
}

export type IoCreditsClient = ReturnType<typeof createClient>;

export function createClient(options: ClientOptions) {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const api = createFetchClient<paths>({ baseUrl: options.baseUrl, fetch: retryingFetch(send, retry) });
  api.use({
    async onRequest({ request }) {
      const token = typeof options.token === 'string' ? options.token : await options.token();
      request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  const acting = options.accountId === undefined ? {} : { accountId: options.accountId };

  /** The answer's data, or the error class of its problem. */
  async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await call;
    if (response.ok) return data as T;
    const wait = retryAfterMs(response.headers.get('retry-after'));
    throw errorFromAnswer(response.status, error, wait === undefined ? undefined : wait / 1000);
  }

  const charges = {
    /** Charges for a deployment. One Idempotency-Key per call (yours, or made here), reused by every retry. */
    create({ idempotencyKey, ...charge }: ChargeInput): Promise<ChargeCreated> {
      return answer(
        api.POST('/credits/charges', {
          params: { header: { 'Idempotency-Key': idempotencyKey ?? crypto.randomUUID() } },
          body: { ...charge, ...acting },
        }),
      );
    },
    get(chargeId: string): Promise<Charge> {
      return answer(api.GET('/credits/charges/{chargeId}', { params: { path: { chargeId }, query: acting } }));
    },
    /** Until the charge is paid, failed or cancelled: through the grace window while the user tops up. */
    async waitForOutcome(chargeId: string, wait: WaitOptions = {}): Promise<Charge> {
      const started = Date.now();
      for (;;) {
        const charge = await charges.get(chargeId);
        if (charge.status !== 'pending_payment') return charge;
        const graceEnd =
          'graceExpiresAt' in charge && charge.graceExpiresAt ? Date.parse(charge.graceExpiresAt) : started;
        const deadline = wait.timeoutMs === undefined ? graceEnd + WAIT_PAST_GRACE_MS : started + wait.timeoutMs;
        const pause = Math.min(wait.pollIntervalMs ?? 2_000, deadline - Date.now());
        if (pause <= 0) throw new OutcomeTimeoutError(charge);
        await sleep(pause, wait.signal);
      }
    },
    /** Gives back up to what is left of a paid charge. Service and admin tokens only. */
    refund(chargeId: string, { idempotencyKey, ...refund }: RefundInput): Promise<Refund> {
      return answer(
        api.POST('/credits/charges/{chargeId}/refunds', {
          params: { path: { chargeId }, header: { 'Idempotency-Key': idempotencyKey ?? crypto.randomUUID() } },
          body: { ...refund, ...acting },
        }),
      );
    },
    /**
     * Cancels a charge waiting for payment. Cancelling one already cancelled answers as the first
     * cancel did (a retry after a lost answer meets the cancel it made).
     */
    async cancel(chargeId: string): Promise<Cancelled> {
      try {
        return await answer(
          api.POST('/credits/charges/{chargeId}/cancel', { params: { path: { chargeId }, query: acting } }),
        );
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const charge = await charges.get(chargeId);
        if (charge.status !== 'cancelled') throw error;
        return { chargeId, status: 'cancelled' };
      }
    },
  };

  return {
    credits: {
      /** Whether a charge of `amount` (for `product`) would be paid now. */
      check(query: Omit<Query<paths['/credits/check']['get']>, Acting>): Promise<CheckResult> {
        return answer(api.GET('/credits/check', { params: { query: { ...query, ...acting } } }));
      },
      balance(): Promise<Balance> {
        return answer(api.GET('/credits/balance', { params: { query: acting } }));
      },
    },
    charges,
    transactions: {
      /** Every transaction matching the filters, newest first, page after page as the loop asks. */
      async *list(filters: TransactionFilters = {}): AsyncGenerator<Transaction, void, undefined> {
        let cursor: string | undefined;
        do {
          const page: TransactionPage = await answer(
            api.GET('/credits/transactions', {
              params: { query: { ...filters, ...acting, ...(cursor ? { cursor } : {}) } },
            }),
          );
          yield* page.items;
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      },
    },
    webhooks,
    proofs,
    /** The same client acting for another account (service tokens). */
    forAccount(accountId: string) {
      return createClient({ ...options, accountId });
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
