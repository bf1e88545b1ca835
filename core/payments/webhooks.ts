// What a verified provider event does to the ledger, whichever provider sent it. A payment is
// matched to its purchase (by our id or the provider's checkout reference) and must name the
// same account the purchase belongs to; a refund or dispute is matched by the provider's payment.

import { InvalidRequest, NotFound, ProviderUnavailable } from '../errors.js';
import type { ProviderName } from '../items/purchase.js';
import type { AutoTopUpView } from '../ledger/auto-top-up.js';
import type { Ledger } from '../ledger/ledger.js';
import { type PaymentReversalResult, reversePayment } from '../ledger/provider-reversals.js';
import {
  accountOfPurchase,
  applyPaymentEvent,
  type PaymentEventResult,
  type PaymentOutcome,
  purchaseOfCheckout,
} from '../ledger/purchases.js';
import { saveCard } from '../ledger/settings.js';
import { cardLabel } from './card-label.js';
import type { SavedCardCharger, WebhookAction } from './port.js';

export type WebhookResult =
  | { eventId: string; handled: 'payment'; result: PaymentEventResult }
  | { eventId: string; handled: 'reversal'; result: PaymentReversalResult }
  /** A refund or dispute about a payment not recorded yet: kept, and applied when the payment is credited. */
  | { eventId: string; handled: 'held'; why: string }
  | { eventId: string; handled: 'ignored'; why: string }
  | { eventId: string; handled: 'card'; result: AutoTopUpView };

export async function applyWebhookAction(
  ledger: Ledger,
  provider: ProviderName,
  action: WebhookAction,
  /** Reads a card's brand and last digits: a saved card's (card setups), or a payment's (its receipt). */
  cards?: Pick<SavedCardCharger, 'describeCard' | 'describePayment' | 'describeInvoice'>,
): Promise<WebhookResult> {
  const { eventId } = action;
  switch (action.kind) {
    case 'ignore':
      return { eventId, handled: 'ignored', why: action.why };
    case 'card': {
      if (provider !== 'stripe') throw new InvalidRequest('cards are saved through Stripe');
      if (!cards) throw new ProviderUnavailable('saved cards are not configured (STRIPE_SECRET_KEY)');
      const { accountId, customerId, paymentMethodId } = action;
      const label = cardLabel(await cards.describeCard(paymentMethodId));
      return {
        eventId,
        handled: 'card',
        result: await saveCard(ledger, { eventId, accountId, customerId, paymentMethodId, label }),
      };
    }
    case 'reversal': {
      const outcome = await reversePayment(ledger, {
        provider,
        eventId,
        paymentRef: action.paymentRef,
        report: action.report,
      });
      if ('held' in outcome)
        return {
          eventId,
          handled: 'held',
          why: `payment ${action.paymentRef} is not credited yet; the ${action.report.kind} is applied when it is`,
        };
      return { eventId, handled: 'reversal', result: outcome.applied };
    }
    case 'payment': {
      const { purchase } = action;
      const found =
        'purchaseId' in purchase
          ? await accountOfPurchase(ledger, purchase.purchaseId).then((accountId) =>
              accountId ? { accountId, purchaseId: purchase.purchaseId } : undefined,
            )
          : await purchaseOfCheckout(ledger, provider, purchase.providerRef);
      if (!found)
        throw new NotFound(
          `no purchase ` + ('purchaseId' in purchase ? purchase.purchaseId : `for checkout ${purchase.providerRef}`),
        );
      if (action.accountId !== undefined && action.accountId !== found.accountId) {
        throw new InvalidRequest(
          `the event names account ${action.accountId}, but purchase ${found.purchaseId} belongs to another`,
        );
      }
      const result = await applyPaymentEvent(ledger, {
        provider,
        eventId,
        accountId: found.accountId,
        purchaseId: found.purchaseId,
        outcome: await withCard(action.outcome, provider, cards),
      });
      return { eventId, handled: 'payment', result };
    }
  }
}

/**
 * A Stripe payment's card and invoice page, asked of Stripe (its events carry only their ids), for
 * the receipt; other outcomes and providers as they are (Spherepay's event carries the network and
 * hash itself).
 */
async function withCard(
  outcome: PaymentOutcome,
  provider: ProviderName,
  cards: Pick<SavedCardCharger, 'describePayment' | 'describeInvoice'> | undefined,
): Promise<PaymentOutcome> {
  if (outcome.kind !== 'paid' || provider !== 'stripe' || !cards) return outcome;
  const payment = outcome.paymentRef && !outcome.payment ? await cards.describePayment(outcome.paymentRef) : undefined;
  const invoiceUrl =
    outcome.invoiceRef && !outcome.invoiceUrl ? await cards.describeInvoice(outcome.invoiceRef) : undefined;
  return { ...outcome, ...(payment ? { payment } : {}), ...(invoiceUrl ? { invoiceUrl } : {}) };
}
