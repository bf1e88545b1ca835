// POST /credits/purchases and GET /credits/purchases/{purchaseId}: buying credits. The purchase
// is stored pending first, then the provider's checkout is created (idempotently by purchase id)
// and recorded; a retried request with the same Idempotency-Key gets the same checkout.

import { IoCreditsError, ProviderUnavailable } from '../core/errors.js';
import type { Purchase } from '../core/items/purchase.js';
import { customerOf, getAutoTopUp } from '../core/ledger/auto-top-up.js';
import { attachCheckout, createPurchase, getPurchase } from '../core/ledger/purchases.js';
import { setAutoTopUp } from '../core/ledger/settings.js';
import { formatMicros } from '../core/money.js';
import { TOP_UP_AMOUNT } from '../core/purchase-limits.js';
import { accountFor } from './http/auth.js';
import { groupHandler, implement } from './http/handler.js';
import { payments } from './http/payments.js';
import * as present from './http/present.js';
import { purchasesRoutes as api } from './http/routes/purchases.js';
import { secrets } from './http/secrets.js';

export const handler = groupHandler(
  [
    implement(api.limits, async (request) => ({
      status: 200,
      body: { purchase: present.limits(payments(request).limits), autoTopUp: present.limits(TOP_UP_AMOUNT) },
    })),
    implement(api.createPurchase, async (request) => {
      const { caller, body, idempotencyKey, runtime } = request;
      const accountId = accountFor(caller, undefined, 'write');
      const { checkout, limits } = payments(request);
      const provider = checkout[body.method];
      if (!provider) throw new ProviderUnavailable(`${body.method} payments are not configured here`);
      const created = await createPurchase(runtime.ledger, {
        accountId,
        amount: body.amount,
        method: body.method,
        limits,
        idempotencyKey,
      });
      let purchase = await getPurchase(runtime.ledger, accountId, created.purchaseId);
      if (!purchase.checkoutUrl) {
        const session = await provider
          .createCheckout({
            purchaseId: purchase.purchaseId,
            accountId,
            amount: purchase.amount,
            method: purchase.method,
          })
          .catch((error: unknown) => {
            if (error instanceof IoCreditsError) throw error;
            throw new ProviderUnavailable(
              `the ${body.method} checkout could not be created; retrying with the same Idempotency-Key is safe`,
              { cause: error },
            );
          });
        purchase = await attachCheckout(runtime.ledger, purchase, session);
      }
      return {
        status: 201,
        body: {
          purchaseId: purchase.purchaseId,
          status: 'pending',
          amount: formatMicros(purchase.amount),
          method: purchase.method,
          checkoutUrl: purchase.checkoutUrl,
        },
      };
    }),

    implement(api.autoTopUp, async ({ caller, runtime }) => ({
      status: 200,
      body: present.autoTopUp(await getAutoTopUp(runtime.ledger, accountFor(caller, undefined, 'read'))),
    })),

    implement(api.setAutoTopUp, async ({ caller, body, runtime }) => ({
      status: 200,
      body: present.autoTopUp(await setAutoTopUp(runtime.ledger, accountFor(caller, undefined, 'write'), body)),
    })),

    implement(api.saveCard, async (request) => {
      const accountId = accountFor(request.caller, undefined, 'write');
      const cards = payments(request).cards;
      if (!cards) throw new ProviderUnavailable('card payments are not configured here');
      const customerId = await customerOf(request.runtime.ledger, accountId);
      const setup = await cards.createCardSetup({ accountId, ...(customerId ? { customerId } : {}) });
      return { status: 201, body: setup };
    }),

    implement(api.getPurchase, async ({ caller, query, params, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      return { status: 200, body: presentPurchase(await getPurchase(runtime.ledger, accountId, params.purchaseId)) };
    }),
  ],
  { use: [secrets()] },
);

function presentPurchase(p: Purchase) {
  return {
    purchaseId: p.purchaseId,
    status: p.status,
    amount: formatMicros(p.amount),
    method: p.method,
    ...(p.lotId ? { lotId: p.lotId } : {}),
    ...(p.paidAmount !== undefined ? { paidAmount: formatMicros(p.paidAmount) } : {}),
    ...(p.reversedAmount ? { reversedAmount: formatMicros(p.reversedAmount) } : {}),
    ...(p.payment ? { payment: p.payment } : {}),
    ...(p.receiptNumber ? { receiptNumber: p.receiptNumber } : {}),
    createdAt: p.createdAt,
  };
}
