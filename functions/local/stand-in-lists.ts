// The stand-ins' list answers, in the shapes of the real APIs (provider-stand-ins.ts serves them):
// Stripe's `{object: 'list', data, has_more, url}`, newest first, paged by `limit` and
// `starting_after`, filtered by `created[gte|gt|lte|lt]` (seconds), with `expand[]` of
// `data.balance_transaction` and `data.charge`; Spherepay's `{data: {payments, hasMore}}`, oldest
// first, paged by `limit` and `startingAfter`, filtered by `createdAfter`/`createdBefore` (ISO)
// and `status`. Never deployed.

import { createHash } from 'node:crypto';
import type {
  SpherepayPayment,
  SpherepayStandInStore,
  StripeCharge,
  StripeReversal,
  StripeStandInStore,
} from './stand-in-store.js';

/** A refusal with its HTTP status, answered in the provider's error shape. */
export class StandInRefusal extends Error {
  override name = 'StandInRefusal';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_LIMIT = 100;

function limitOf(text: string | null, fallback: number): number {
  if (text === null) return fallback;
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT)
    throw new StandInRefusal(400, `limit must be an integer from 1 to ${MAX_LIMIT}, got ${text}`);
  return Number(text);
}

/** The `created` filter in seconds, from `created[gte]` and the like. */
function createdFilter(params: URLSearchParams): (createdS: number) => boolean {
  const bound = (name: string) => {
    const text = params.get(`created[${name}]`);
    if (text === null) return undefined;
    if (!/^\d{1,12}$/.test(text)) throw new StandInRefusal(400, `created[${name}] must be a timestamp in seconds`);
    return Number(text);
  };
  const [gte, gt, lte, lt] = [bound('gte'), bound('gt'), bound('lte'), bound('lt')];
  return (s) =>
    (gte === undefined || s >= gte) &&
    (gt === undefined || s > gt) &&
    (lte === undefined || s <= lte) &&
    (lt === undefined || s < lt);
}

function expansions(params: URLSearchParams): Set<string> {
  return new Set([...params.entries()].filter(([key]) => /^expand\[\d*\]$/.test(key)).map(([, value]) => value));
}

/** One page of `items` (already ordered) after the object `cursor` names; refused when it names none. */
function pageOf<T extends { id: string }>(items: T[], cursor: string | null, limit: number) {
  const start = cursor === null ? 0 : items.findIndex((item) => item.id === cursor) + 1;
  if (cursor !== null && start === 0) throw new StandInRefusal(400, `No such object: '${cursor}'`);
  return { data: items.slice(start, start + limit), hasMore: start + limit < items.length };
}

/** Newest first, as Stripe lists; of equal seconds, the later written first. */
function newestFirst<T extends { createdS: number }>(records: T[]): T[] {
  return records
    .map((record, i) => ({ record, i }))
    .sort((a, b) => b.record.createdS - a.record.createdS || b.i - a.i)
    .map(({ record }) => record);
}

function chargeObject(store: StripeStandInStore, charge: StripeCharge, expandTransaction: boolean) {
  const refunded = store.refundedCents(charge.id);
  const transaction = {
    id: charge.balanceTransaction,
    object: 'balance_transaction',
    amount: charge.amountCents,
    currency: 'usd',
    fee: charge.feeCents,
    net: charge.amountCents - charge.feeCents,
    created: charge.createdS,
    source: charge.id,
    type: 'charge',
  };
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amountCents,
    amount_captured: charge.amountCents,
    amount_refunded: refunded,
    balance_transaction: expandTransaction ? transaction : transaction.id,
    captured: true,
    created: charge.createdS,
    currency: 'usd',
    disputed: store.reversals.some((r) => r.type === 'dispute' && r.chargeId === charge.id),
    livemode: false,
    metadata: charge.metadata,
    paid: true,
    payment_intent: charge.paymentIntent,
    refunded: refunded >= charge.amountCents,
    status: 'succeeded',
  };
}

function reversalObject(store: StripeStandInStore, reversal: StripeReversal, expandCharge: boolean) {
  const charge = store.charges.find((c) => c.id === reversal.chargeId);
  if (!charge) throw new StandInRefusal(500, `${reversal.id} reverses ${reversal.chargeId}, which is not kept`);
  const common = {
    id: reversal.id,
    object: reversal.type,
    amount: reversal.amountCents,
    charge: expandCharge ? chargeObject(store, charge, false) : charge.id,
    created: reversal.createdS,
    currency: 'usd',
    metadata: {},
    payment_intent: charge.paymentIntent,
  };
  return reversal.type === 'refund'
    ? { ...common, status: 'succeeded', reason: 'requested_by_customer' }
    : { ...common, status: 'needs_response', reason: 'fraudulent', livemode: false };
}

/** Stripe's `GET /v1/charges`, `/v1/refunds` and `/v1/disputes`. */
export function stripeList(store: StripeStandInStore, path: string, params: URLSearchParams) {
  const inPeriod = createdFilter(params);
  const expand = expansions(params);
  const limit = limitOf(params.get('limit'), 10);
  const cursor = params.get('starting_after');
  const list = (data: unknown[], hasMore: boolean) => ({ object: 'list', data, has_more: hasMore, url: path });
  if (path === '/v1/charges') {
    const page = pageOf(newestFirst(store.charges.filter((c) => inPeriod(c.createdS))), cursor, limit);
    return list(
      page.data.map((c) => chargeObject(store, c, expand.has('data.balance_transaction'))),
      page.hasMore,
    );
  }
  const type = path === '/v1/refunds' ? 'refund' : path === '/v1/disputes' ? 'dispute' : undefined;
  if (!type) throw new StandInRefusal(404, `Unrecognized request URL (GET: ${path})`);
  const reversals = store.reversals.filter((r) => r.type === type && inPeriod(r.createdS));
  const page = pageOf(newestFirst(reversals), cursor, limit);
  return list(
    page.data.map((r) => reversalObject(store, r, expand.has('data.charge'))),
    page.hasMore,
  );
}

function isoBound(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new StandInRefusal(400, `${name} must be an ISO 8601 time`);
  return ms;
}

function paymentObject(payment: SpherepayPayment) {
  return {
    id: payment.id,
    status: 'succeeded',
    amount: payment.amount,
    currency: 'usdc',
    network: 'base',
    transactionHash: `0x${createHash('sha256').update(payment.id).digest('hex')}`,
    createdAt: new Date(payment.createdAtMs).toISOString(),
    paymentLink: { id: payment.paymentLink, metadata: payment.metadata },
    metadata: payment.metadata,
  };
}

/** Spherepay's `GET /payment` (the path under the stand-ins' Spherepay base URL). */
export function spherepayList(store: SpherepayStandInStore, path: string, params: URLSearchParams) {
  if (path !== '/payment') throw new StandInRefusal(404, `no route GET ${path}`);
  const [after, before] = [isoBound(params, 'createdAfter'), isoBound(params, 'createdBefore')];
  const status = params.get('status');
  const payments = store.payments
    .map((payment, i) => ({ payment, i }))
    .filter(
      ({ payment }) =>
        (after === undefined || payment.createdAtMs >= after) && (before === undefined || payment.createdAtMs < before),
    )
    .filter(() => status === null || status === 'succeeded')
    .sort((a, b) => a.payment.createdAtMs - b.payment.createdAtMs || a.i - b.i)
    .map(({ payment }) => payment);
  const page = pageOf(payments, params.get('startingAfter'), limitOf(params.get('limit'), 10));
  return { data: { payments: page.data.map(paymentObject), hasMore: page.hasMore } };
}
