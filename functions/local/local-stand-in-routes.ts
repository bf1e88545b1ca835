// Refunds and disputes made at the Stripe stand-in, as a provider's dashboard (or a card holder's
// bank) makes them: kept by the stand-in, so its list calls answer them, then reported to the
// server by Stripe's signed event, unless `notify` is false: then the ledger never hears of it,
// and the next daily close reports it as reversed at the provider only. Admin only, local only,
// never deployed.

import * as z from 'zod';
import { NotFound } from '../../core/errors.js';
import { formatMicros, microsFromCents } from '../../core/money.js';
import { iso } from '../../core/time.js';
import { groupHandler, implement, type Request } from '../http/handler.js';
import { payments } from '../http/payments.js';
import { defineRoute } from '../http/routes.js';
import { centsAmount, ids } from '../http/schemas.js';
import { localDisputeEvent, localRefundEvent, sendToSelf } from './local-events.js';
import { standInsOf } from './local-providers.js';
import type { StripeCharge, StripeReversal, StripeStandInStore } from './stand-in-store.js';

const reversalBody = z.strictObject({
  purchaseId: ids.purchase,
  amount: centsAmount.optional(),
  notify: z.boolean().optional(),
});

const refundRoute = defineRoute({
  group: 'local',
  method: 'POST',
  path: '/local/providers/stripe/refunds',
  access: 'admin',
  summary: "Refund a purchase at the Stripe stand-in; Stripe's charge.refunded follows unless notify is false",
  description:
    'Refunds `amount` (default: all that is left) of the charge that paid the purchase at the Stripe stand-in. ' +
    '404 when the stand-in took no payment for it, 409 past what is left to refund.',
  body: reversalBody,
  responses: { 201: { description: 'The refund, and what the webhook answered' } },
});

const disputeRoute = defineRoute({
  group: 'local',
  method: 'POST',
  path: '/local/providers/stripe/disputes',
  access: 'admin',
  summary: "Dispute a purchase at the Stripe stand-in; Stripe's charge.dispute.created follows unless notify is false",
  description:
    'Opens a dispute of `amount` (default: the whole charge) of the charge that paid the purchase at the Stripe ' +
    'stand-in; one per charge (409 for a second).',
  body: reversalBody,
  responses: { 201: { description: 'The dispute, and what the webhook answered' } },
});

/** The Stripe stand-in's store, when this server stands in for Stripe. */
function stripeStandIn(request: Pick<Request, 'local'>): StripeStandInStore {
  const standIns = standInsOf(payments(request));
  if (!standIns?.providers.has('stripe')) throw new NotFound('this server uses Stripe itself, not its stand-in');
  return standIns.stores.stripe;
}

async function answer(
  request: Pick<Request, 'local'>,
  made: { reversal: StripeReversal; charge: StripeCharge; notify: boolean | undefined },
  event: (secret: string) => { path: string; body: string; headers: Record<string, string> },
) {
  const secret = payments(request).webhookSecrets.stripe;
  let webhook: { status: number; answer: string } | null = null;
  if (made.notify !== false && secret) {
    const response = await sendToSelf(request.local?.serverUrl ?? 'http://127.0.0.1:3000', event(secret));
    webhook = { status: response.status, answer: await response.text() };
  }
  const { reversal, charge } = made;
  return {
    status: 201,
    body: {
      id: reversal.id,
      object: reversal.type,
      charge: charge.id,
      purchaseId: charge.metadata.purchaseId,
      amount: formatMicros(microsFromCents(reversal.amountCents)),
      createdAt: iso(reversal.createdS * 1000),
      webhook,
    },
  };
}

export const standInRoutes = [refundRoute, disputeRoute];

export const standInHandler = groupHandler([
  implement(refundRoute, async (request) => {
    const { purchaseId, amount, notify } = request.body;
    const store = stripeStandIn(request);
    const nowMs = request.runtime.ledger.nowMs();
    const { refund, charge } = store.refund(purchaseId, amount, nowMs);
    const totalRefundedCents = store.refundedCents(charge.id);
    return answer(request, { reversal: refund, charge, notify }, (secret) =>
      localRefundEvent({ id: refund.id, totalRefundedCents }, charge, secret, nowMs),
    );
  }),
  implement(disputeRoute, async (request) => {
    const { purchaseId, amount, notify } = request.body;
    const nowMs = request.runtime.ledger.nowMs();
    const { dispute, charge } = stripeStandIn(request).dispute(purchaseId, amount, nowMs);
    return answer(request, { reversal: dispute, charge, notify }, (secret) =>
      localDisputeEvent(dispute, charge, secret, nowMs),
    );
  }),
]);
