// What Spherepay took in a period, for reconciliation (SPEC §12): its succeeded payments, one list
// call paged to its end. Spherepay's API reference was not at hand; the call and the fields read
// are listed in docs/payments.md, to check before going live:
//
//   GET /payment?status=succeeded&createdAfter=<ISO>&createdBefore=<ISO>&limit=100[&startingAfter=<id>]
//   → {data: {payments: [{id, status, amount, currency, createdAt, paymentLink, metadata}], hasMore}}
//
// `createdAfter` is inclusive and `createdBefore` exclusive; each payment is also checked against
// the period here, so a filter read differently never lets another day's payment in. The purchase
// is the payment's (or its payment link's) `metadata.purchaseId`, else the payment link the
// purchase recorded at checkout. USDC is credited one credit each, like USD; another currency is
// reported with amount 0 and what it was in `foreign`. No refunds are listed: the checkout makes
// none, and Spherepay's refund API is not used.

import * as z from 'zod';
import { parseMicros, ZERO } from '../money.js';
import { spherepayRequest } from '../payments/spherepay-http.js';
import {
  type ActivityLimits,
  assertPeriod,
  MAX_PAGES,
  MAX_RETRY_DELAY_MS,
  PAGE_SIZE,
  RETRIES,
  RETRY_DELAY_MS,
  readAllPages,
  TIMEOUT_MS,
  TokenBucket,
} from './bounds.js';
import type { PaymentsSource, Period, ProviderActivity, ProviderPayment } from './port.js';

export interface SpherepayActivityOptions {
  apiKey: string;
  baseUrl?: string;
  fetch?: typeof fetch;
  limits?: Partial<ActivityLimits>;
}

/** Spherepay publishes no read rate here; the close keeps to 5 calls a second. */
export const SPHEREPAY_LIMITS: ActivityLimits = {
  maxPages: MAX_PAGES,
  pageSize: PAGE_SIZE,
  ratePerSecond: 5,
  burst: 5,
  timeoutMs: TIMEOUT_MS,
  retries: RETRIES,
  retryDelayMs: RETRY_DELAY_MS,
  maxRetryDelayMs: MAX_RETRY_DELAY_MS,
};

const UNAVAILABLE = 'Spherepay could not be read for reconciliation; the close can be run again';
/** USDC is a dollar stablecoin: credited one credit per USDC, like USD. */
const CREDITED_CURRENCIES = new Set(['usdc', 'usd']);

const metadataShape = z.object({ purchaseId: z.string().optional(), accountId: z.string().optional() }).passthrough();
// Numbers arrive as their source text (spherepay-http.ts), so `amount` is text either way.
const paymentShape = z.object({
  id: z.string().min(1),
  status: z.string(),
  // At most 999,999,999.999999: within what the ledger takes, so reading it as micros cannot refuse it.
  amount: z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'must be a decimal of at most six places'),
  currency: z.string().min(1),
  createdAt: z.string().refine((at) => !Number.isNaN(Date.parse(at)), 'must be a date'),
  paymentLink: z
    .union([z.string().min(1), z.object({ id: z.string().min(1), metadata: z.unknown().optional() })])
    .nullish(),
  metadata: z.unknown().optional(),
});
const pageShape = z.object({ payments: z.array(paymentShape), hasMore: z.boolean() });

export class SpherepayActivity implements PaymentsSource {
  readonly provider = 'spherepay' as const;
  private readonly limits: ActivityLimits;
  private readonly bucket: TokenBucket;

  constructor(private readonly options: SpherepayActivityOptions) {
    this.limits = { ...SPHEREPAY_LIMITS, ...options.limits };
    this.bucket = new TokenBucket(this.limits.ratePerSecond, this.limits.burst);
  }

  async activity(period: Period): Promise<ProviderActivity> {
    assertPeriod(period);
    const filter = {
      status: 'succeeded',
      createdAfter: new Date(period.fromMs).toISOString(),
      createdBefore: new Date(period.toMs).toISOString(),
      limit: String(this.limits.pageSize),
    };
    const { items, pages } = await readAllPages<z.output<typeof paymentShape>, string>(
      async (startingAfter) => {
        await this.bucket.acquire();
        const page = await spherepayRequest(
          this.options,
          {
            method: 'GET',
            path: '/payment',
            query: { ...filter, ...(startingAfter ? { startingAfter } : {}) },
            unavailable: UNAVAILABLE,
            timeoutMs: this.limits.timeoutMs,
            retry: {
              retries: this.limits.retries,
              delayMs: this.limits.retryDelayMs,
              maxDelayMs: this.limits.maxRetryDelayMs,
            },
          },
          pageShape,
        );
        const last = page.payments.at(-1);
        return { items: page.payments, next: page.hasMore && last ? last.id : undefined };
      },
      { provider: 'spherepay', list: 'payments', maxPages: this.limits.maxPages },
    );
    const payments = items.flatMap((payment) => paymentOf(payment, period));
    return { payments, reversals: [], calls: pages };
  }
}

function paymentOf(payment: z.output<typeof paymentShape>, period: Period): ProviderPayment[] {
  const createdAtMs = Date.parse(payment.createdAt);
  if (payment.status !== 'succeeded' || createdAtMs < period.fromMs || createdAtMs >= period.toMs) return [];
  const link = payment.paymentLink;
  const linkId = typeof link === 'string' ? link : link?.id;
  const metadata = metadataShape.safeParse(payment.metadata ?? (typeof link === 'object' ? link?.metadata : undefined));
  const { purchaseId, accountId } = metadata.success ? metadata.data : {};
  const currency = payment.currency.toLowerCase();
  const credited = CREDITED_CURRENCIES.has(currency);
  return [
    {
      provider: 'spherepay',
      paymentId: payment.id,
      ...(purchaseId ? { purchaseId } : {}),
      ...(accountId ? { accountId } : {}),
      ...(linkId ? { providerRef: linkId } : {}),
      amount: credited ? parseMicros(payment.amount, `Spherepay payment ${payment.id} amount`) : ZERO,
      ...(credited ? {} : { foreign: { currency, providerAmount: payment.amount } }),
      createdAtMs,
    },
  ];
}
