// POST /webhooks/stripe and POST /webhooks/spherepay: provider events, verified on the raw body,
// then applied once each (see core/payments/webhooks.ts). A bad signature, a stale timestamp, a
// malformed event, a currency other than USD or an unknown purchase is refused with a 4xx and a
// log line, and changes nothing; only a real fault is a 5xx, so the provider retries it.

import { ProviderUnavailable } from '../core/errors.js';
import { log } from '../core/log.js';
import { spherepayAction, verifySpherepayEvent } from '../core/payments/spherepay.js';
import { stripeAction, verifyStripeEvent } from '../core/payments/stripe.js';
import { applyWebhookAction, type WebhookResult } from '../core/payments/webhooks.js';
import { groupHandler, implement } from './http/handler.js';
import { payments } from './http/payments.js';
import { webhooksRoutes as api } from './http/routes/webhooks.js';
import { secrets } from './http/secrets.js';

export const handler = groupHandler(
  [
    implement(api.stripeWebhook, async (request) => {
      const { rawBody, headers, runtime } = request;
      const secret = payments(request).webhookSecrets.stripe;
      if (!secret) throw new ProviderUnavailable('STRIPE_WEBHOOK_SECRET is not configured');
      const event = verifyStripeEvent(rawBody ?? '', headers['stripe-signature'], secret);
      return answer(await applyWebhookAction(runtime.ledger, 'stripe', stripeAction(event), payments(request).cards));
    }),

    implement(api.spherepayWebhook, async (request) => {
      const { rawBody, headers, runtime } = request;
      const secret = payments(request).webhookSecrets.spherepay;
      if (!secret) throw new ProviderUnavailable('SPHEREPAY_WEBHOOK_SECRET is not configured');
      const event = verifySpherepayEvent(rawBody ?? '', headers.signature, secret);
      return answer(await applyWebhookAction(runtime.ledger, 'spherepay', spherepayAction(event)));
    }),
  ],
  { use: [secrets()] },
);

function answer(outcome: WebhookResult) {
  const effect =
    outcome.handled === 'payment'
      ? outcome.result.effect
      : outcome.handled === 'reversal'
        ? outcome.result.reversed > 0
          ? 'reversed'
          : 'none'
        : undefined;
  log().info('webhook', {
    eventId: outcome.eventId,
    handled: outcome.handled,
    ...(effect ? { effect } : {}),
    ...('why' in outcome ? { why: outcome.why } : {}),
  });
  return {
    status: 200,
    body: { received: true, eventId: outcome.eventId, handled: outcome.handled, ...(effect ? { effect } : {}) },
  };
}
