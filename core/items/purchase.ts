// A purchase of credits, and the lookups that find it from what a provider's event names: our
// purchase id, or the provider's checkout (a Spherepay payment link); the lookup by its payment
// is items/payment-lookup.ts. The lifecycle and the order of provider events are in
// ledger/purchases.ts; here, what is stored (how it reads back: items/purchase-read.ts, apart because
// auto top-ups write purchases from within every charge, while only the purchase paths read them).

import { Conflict } from '../errors.js';
import type { Micros } from '../money.js';
import { chargeQueueIndex, keys } from '../table/keys.js';
import type { ItemWrite } from './fields.js';
import type { PaymentDetails } from './payment-details.js';

export const PURCHASE_STATUSES = ['pending', 'completed', 'failed', 'expired', 'reversed'] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];
export type PaymentMethod = 'card' | 'usdc';
export type ProviderName = 'stripe' | 'spherepay';

export const PROVIDER_OF: Record<PaymentMethod, ProviderName> = { card: 'stripe', usdc: 'spherepay' };

export interface Purchase {
  purchaseId: string;
  accountId: string;
  status: PurchaseStatus;
  /** What the user asked to buy. */
  amount: Micros;
  method: PaymentMethod;
  provider: ProviderName;
  createdAt: string;
  updatedAt: string;
  checkoutUrl?: string;
  /** The provider's id of the checkout (a Stripe Checkout Session, a Spherepay payment link). */
  providerRef?: string;
  /** The provider's id of the payment (a Stripe PaymentIntent), once paid. */
  paymentRef?: string;
  lotId?: string;
  /** What the provider reported as paid, and so what was credited. */
  paidAmount?: Micros;
  /**
   * The tax the provider reported beside it (paid on top of the credit): the provider refunds and
   * disputes the whole, so a reversal takes back credit in the part paidAmount is of the whole.
   */
  paidTax?: Micros;
  /** Taken back by provider refunds and disputes. */
  reversedAmount?: Micros;
  /** The provider's running total of refunds, as its refund events report it. */
  providerRefunded?: Micros;
  /** An automatic top-up (SPEC §8): charged to the saved card, off session. */
  autoTopUp?: true;
  /** How it was paid, as the provider reported it: card brand and last 4, or USDC network and hash. */
  payment?: PaymentDetails;
  /** Its receipt (SPEC §11), numbered in the transaction that credited it. */
  receiptNumber?: string;
}

export const purchaseItems = {
  created(purchase: Purchase): ItemWrite {
    return {
      item: {
        Put: {
          Item: { ...keys.purchase(purchase.accountId, purchase.purchaseId), itemType: 'purchase', ...purchase },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  },

  /** Finds a purchase's account from its id alone (GET by id, provider events). */
  /** An automatic top-up, new, waiting in the TOPUPQ work queue for its PaymentIntent. */
  topUpRequested(purchase: Purchase, atMs: number): ItemWrite {
    return {
      item: {
        Put: {
          Item: {
            ...keys.purchase(purchase.accountId, purchase.purchaseId),
            itemType: 'purchase',
            ...purchase,
            gsi3pk: chargeQueueIndex.topUpsPk(purchase.purchaseId),
            gsi3sk: chargeQueueIndex.sk(atMs, purchase.purchaseId),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  },

  /** Its PaymentIntent is made: out of the work queue, with the intent as its provider reference. */
  topUpSent(accountId: string, purchaseId: string, paymentIntentId: string) {
    return {
      Key: keys.purchase(accountId, purchaseId),
      UpdateExpression: 'SET providerRef = :ref REMOVE gsi3pk, gsi3sk',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':ref': paymentIntentId },
    };
  },

  /** The lookup, also listed under the day it was created (keys.ts `PURCHASED#`) for reconciliation. */
  lookup(purchase: Purchase): ItemWrite {
    return {
      item: {
        Put: {
          Item: {
            ...keys.purchaseLookup(purchase.purchaseId),
            itemType: 'purchaseLookup',
            accountId: purchase.accountId,
            [chargeQueueIndex.pkAttribute]: chargeQueueIndex.purchasedPk(
              purchase.createdAt.slice(0, 10),
              purchase.purchaseId,
            ),
            [chargeQueueIndex.skAttribute]: chargeQueueIndex.purchasedSk(
              Date.parse(purchase.createdAt),
              purchase.purchaseId,
              purchase.accountId,
            ),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  },

  /** What changed from `before` to `after`, on condition that the status is still the one read. */
  changed(before: Purchase, after: Purchase, now: string): ItemWrite {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':before': before.status, ':now': now };
    const sets = ['updatedAt = :now'];
    const was = new Map(Object.entries(before));
    for (const [field, value] of Object.entries(after)) {
      if (field === 'updatedAt' || value === was.get(field)) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    return {
      item: {
        Update: {
          Key: keys.purchase(before.accountId, before.purchaseId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :before',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed: () => new Conflict(`purchase ${before.purchaseId} changed concurrently`),
    };
  },

  /** The provider's checkout on a purchase; the same checkout again (a retried request) changes nothing. */
  checkoutAttached(purchase: Purchase, checkout: { checkoutUrl: string; providerRef: string }): ItemWrite[] {
    return [
      {
        item: {
          Update: {
            Key: keys.purchase(purchase.accountId, purchase.purchaseId),
            UpdateExpression: 'SET checkoutUrl = :url, providerRef = :ref',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(providerRef) OR providerRef = :ref)',
            ExpressionAttributeValues: { ':url': checkout.checkoutUrl, ':ref': checkout.providerRef },
          },
        },
      },
      {
        item: {
          Put: {
            Item: {
              ...keys.checkoutLookup(purchase.provider, checkout.providerRef),
              itemType: 'checkoutLookup',
              accountId: purchase.accountId,
              purchaseId: purchase.purchaseId,
            },
          },
        },
      },
    ];
  },
};
