// What the daily close reads of the payment providers on AWS (SPEC §12): the reconciliation
// adapters of the providers whose keys are set, the same keys the checkout uses. Apart from
// payments.ts so that only what reconciles carries these adapters; locally the close reads the
// stand-ins instead (functions/local/provider-stand-ins.ts).

import type { PaymentsSource } from '../../core/reconcile/port.js';
import { SpherepayActivity } from '../../core/reconcile/spherepay.js';
import { StripeActivity } from '../../core/reconcile/stripe.js';

/** Stripe from STRIPE_SECRET_KEY, Spherepay from SPHEREPAY_API_KEY (and SPHEREPAY_BASE_URL); none without keys. */
export function paymentsSourcesFromEnv(env: NodeJS.ProcessEnv): PaymentsSource[] {
  const sources: PaymentsSource[] = [];
  if (env.STRIPE_SECRET_KEY) sources.push(new StripeActivity({ secretKey: env.STRIPE_SECRET_KEY }));
  if (env.SPHEREPAY_API_KEY)
    sources.push(
      new SpherepayActivity({
        apiKey: env.SPHEREPAY_API_KEY,
        ...(env.SPHEREPAY_BASE_URL ? { baseUrl: env.SPHEREPAY_BASE_URL } : {}),
      }),
    );
  return sources;
}
