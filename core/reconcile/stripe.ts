// What Stripe took and gave back in a period, for reconciliation (SPEC §12): three list calls,
// each paged to its end with `starting_after` and `created[gte]`/`created[lt]` in seconds:
//
//   GET /v1/charges   expand[]=data.balance_transaction  → payments (succeeded, captured), fee
//   GET /v1/refunds   expand[]=data.charge               → refunds (succeeded or pending)
//   GET /v1/disputes  expand[]=data.charge               → disputes (any status)
//
// The purchase is the charge's `metadata.purchaseId`: the Checkout Session's PaymentIntent is made
// with it (`payment_intent_data.metadata`, core/payments/stripe.ts), and Stripe copies the
// PaymentIntent's metadata to the charge it makes; auto top-up intents carry it themselves.
// Amounts are read from Stripe's integer cents; only USD is credited, so a charge in another
// currency is reported with amount 0 and what it was in `foreign`. Stripe's answers are checked
// field by field before use: an answer the close cannot read fails the close, never skews it.

import Stripe from 'stripe';
import * as z from 'zod';
import { ProviderUnavailable } from '../errors.js';
import { MAX_AMOUNT_MICROS, MICROS_PER_CENT, type Micros, microsFromCents, ZERO } from '../money.js';
import {
  type ActivityLimits,
  assertPeriod,
  backoffMs,
  MAX_PAGES,
  MAX_RETRY_DELAY_MS,
  PAGE_SIZE,
  RETRIES,
  RETRY_DELAY_MS,
  readAllPages,
  sleep,
  TIMEOUT_MS,
  TokenBucket,
} from './bounds.js';
import type {
  ForeignAmount,
  PaymentsSource,
  Period,
  ProviderActivity,
  ProviderPayment,
  ProviderReversal,
} from './port.js';

export interface StripeActivityOptions {
  secretKey: string;
  /** Another Stripe endpoint (tests, the local stand-in): the SDK's host, port and protocol. */
  endpoint?: { host: string; port: number; protocol: 'http' | 'https' };
  limits?: Partial<ActivityLimits>;
}

/**
 * Stripe allows 100 read requests a second in live mode and 25 in test mode; the close keeps to
 * 20, so the other functions sharing the key keep their share. The SDK retries what it may
 * (no answer, 409, 5xx) `retries` times; a 429 it leaves alone is retried here as often.
 */
export const STRIPE_LIMITS: ActivityLimits = {
  maxPages: MAX_PAGES,
  pageSize: PAGE_SIZE,
  ratePerSecond: 20,
  burst: 5,
  timeoutMs: TIMEOUT_MS,
  retries: RETRIES,
  retryDelayMs: RETRY_DELAY_MS,
  maxRetryDelayMs: MAX_RETRY_DELAY_MS,
};

const UNAVAILABLE = 'Stripe could not be read for reconciliation; the close can be run again';

const metadataShape = z.record(z.string(), z.unknown()).nullish();
// Up to the largest amount the ledger takes, so turning them into micros cannot refuse them.
const cents = z
  .number()
  .int()
  .nonnegative()
  .max(MAX_AMOUNT_MICROS / MICROS_PER_CENT);
const seconds = z.number().int().nonnegative();
const chargeShape = z.object({
  id: z.string().min(1),
  status: z.string(),
  captured: z.boolean().optional(),
  amount_captured: cents,
  currency: z.string().min(1),
  created: seconds,
  metadata: metadataShape,
  balance_transaction: z
    .union([z.string(), z.object({ id: z.string(), fee: cents, currency: z.string().min(1) })])
    .nullish(),
});
const chargeRef = z.union([
  z
    .string()
    .min(1)
    .transform((id) => ({ id, metadata: undefined })),
  z.object({ id: z.string().min(1), metadata: metadataShape }),
]);
const refundShape = z.object({
  id: z.string().min(1),
  amount: cents,
  currency: z.string().min(1),
  status: z.string().nullish(),
  created: seconds,
  charge: chargeRef.nullish(),
});
const disputeShape = z.object({
  id: z.string().min(1),
  amount: cents,
  currency: z.string().min(1),
  status: z.string(),
  created: seconds,
  charge: chargeRef,
});
const listShape = z.object({ data: z.array(z.unknown()), has_more: z.boolean() });

/** Refunds that moved money, or are moving it: a failed or cancelled refund sent nothing back. */
const REFUNDS_SENT = new Set(['succeeded', 'pending']);

export class StripeActivity implements PaymentsSource {
  readonly provider = 'stripe' as const;
  private readonly stripe: Stripe;
  private readonly limits: ActivityLimits;
  private readonly bucket: TokenBucket;

  constructor(options: StripeActivityOptions) {
    this.limits = { ...STRIPE_LIMITS, ...options.limits };
    this.stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: this.limits.retries,
      timeout: this.limits.timeoutMs,
      telemetry: false,
      ...(options.endpoint ?? {}),
    });
    this.bucket = new TokenBucket(this.limits.ratePerSecond, this.limits.burst);
  }

  async activity(period: Period): Promise<ProviderActivity> {
    assertPeriod(period);
    // Stripe's `created` is in whole seconds: second s holds the instants s*1000 … s*1000+999.
    const created = { gte: Math.ceil(period.fromMs / 1000), lt: Math.ceil(period.toMs / 1000) };
    const charges = await this.list('charges', (params) =>
      this.stripe.charges.list({ ...params, created, expand: ['data.balance_transaction'] }),
    );
    const refunds = await this.list('refunds', (params) =>
      this.stripe.refunds.list({ ...params, created, expand: ['data.charge'] }),
    );
    const disputes = await this.list('disputes', (params) =>
      this.stripe.disputes.list({ ...params, created, expand: ['data.charge'] }),
    );
    return {
      payments: charges.items.flatMap((charge) => paymentOf(charge)),
      reversals: [
        ...refunds.items.flatMap((refund) => refundOf(refund)),
        ...disputes.items.map((dispute) => disputeOf(dispute)),
      ],
      calls: charges.calls + refunds.calls + disputes.calls,
    };
  }

  /** Every object of one list, page after page, each call counted, bounded and retried. */
  private async list(
    name: string,
    readPage: (params: { limit: number; starting_after?: string }) => Promise<unknown>,
  ): Promise<{ items: unknown[]; calls: number }> {
    let calls = 0;
    const { items } = await readAllPages<unknown, string>(
      async (startingAfter) => {
        const answer = await this.call(name, () =>
          readPage({ limit: this.limits.pageSize, ...(startingAfter ? { starting_after: startingAfter } : {}) }),
        );
        calls += 1;
        const page = listShape.safeParse(answer);
        if (!page.success) throw unreadable(name, page.error);
        const last = page.data.data.at(-1);
        const lastId = z.object({ id: z.string().min(1) }).safeParse(last);
        if (page.data.has_more && !lastId.success) throw unreadable(name, new Error('has_more without a last id'));
        return { items: page.data.data, next: page.data.has_more && lastId.success ? lastId.data.id : undefined };
      },
      { provider: 'stripe', list: name, maxPages: this.limits.maxPages },
    );
    return { items, calls };
  }

  /** One call under the rate limit; a 429 is waited out and tried again, `retries` times. */
  private async call<T>(name: string, make: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      await this.bucket.acquire();
      try {
        return await make();
      } catch (error) {
        const limited = error instanceof Stripe.errors.StripeRateLimitError;
        if (!limited || attempt >= this.limits.retries)
          throw new ProviderUnavailable(UNAVAILABLE, {
            cause: new Error(`GET /v1/${name} failed after ${attempt + 1} attempt(s)`, { cause: error }),
          });
        await sleep(backoffMs(this.limits, attempt + 1));
      }
    }
  }
}

function unreadable(list: string, cause: unknown): ProviderUnavailable {
  return new ProviderUnavailable(UNAVAILABLE, { cause: new Error(`Stripe's ${list} list is malformed`, { cause }) });
}

function read<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw unreadable(what, parsed.error);
  return parsed.data;
}

/** USD cents as micros; another currency as 0 and the foreign amount, never converted. */
function amountOf(minorUnits: number, currency: string): { amount: Micros; foreign?: ForeignAmount } {
  const lower = currency.toLowerCase();
  if (lower === 'usd') return { amount: microsFromCents(minorUnits) };
  return { amount: ZERO, foreign: { currency: lower, providerAmount: String(minorUnits) } };
}

function ours(metadata: Record<string, unknown> | null | undefined): { purchaseId?: string; accountId?: string } {
  const purchaseId = metadata?.purchaseId;
  const accountId = metadata?.accountId;
  return {
    ...(typeof purchaseId === 'string' && purchaseId ? { purchaseId } : {}),
    ...(typeof accountId === 'string' && accountId ? { accountId } : {}),
  };
}

/** A charge that took money: succeeded and captured (an authorisation alone took nothing). */
function paymentOf(raw: unknown): ProviderPayment[] {
  const charge = read(chargeShape, raw, 'charges');
  if (charge.status !== 'succeeded' || charge.captured === false || charge.amount_captured === 0) return [];
  const transaction = typeof charge.balance_transaction === 'object' ? charge.balance_transaction : undefined;
  const fee =
    transaction && transaction.currency.toLowerCase() === 'usd' ? { fee: microsFromCents(transaction.fee) } : {};
  return [
    {
      provider: 'stripe',
      paymentId: charge.id,
      ...ours(charge.metadata),
      ...amountOf(charge.amount_captured, charge.currency),
      ...fee,
      createdAtMs: charge.created * 1000,
    },
  ];
}

function refundOf(raw: unknown): ProviderReversal[] {
  const refund = read(refundShape, raw, 'refunds');
  // A refund not of a charge (of a customer balance) reverses no payment of ours.
  if (!refund.charge || (refund.status && !REFUNDS_SENT.has(refund.status))) return [];
  const { purchaseId } = ours(refund.charge.metadata);
  return [
    {
      provider: 'stripe',
      kind: 'refund',
      reversalId: refund.id,
      paymentId: refund.charge.id,
      ...(purchaseId ? { purchaseId } : {}),
      ...amountOf(refund.amount, refund.currency),
      createdAtMs: refund.created * 1000,
      ...(refund.status ? { status: refund.status } : {}),
    },
  ];
}

function disputeOf(raw: unknown): ProviderReversal {
  const dispute = read(disputeShape, raw, 'disputes');
  const { purchaseId } = ours(dispute.charge.metadata);
  return {
    provider: 'stripe',
    kind: 'dispute',
    reversalId: dispute.id,
    paymentId: dispute.charge.id,
    ...(purchaseId ? { purchaseId } : {}),
    ...amountOf(dispute.amount, dispute.currency),
    createdAtMs: dispute.created * 1000,
    status: dispute.status,
  };
}
