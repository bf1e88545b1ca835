// How a purchase and its lookups (items/purchase.ts) read back, checked against their schemas: for
// the purchase paths, apart from the writers every charge carries (an auto top-up writes a purchase).

import * as z from 'zod';
import type { Item } from '../table/table.js';
import { isoField, microsField, readItem } from './fields.js';
import { paymentDetailsShape } from './payment-details.js';
import { PURCHASE_STATUSES, type Purchase } from './purchase.js';

const shape = z.object({
  purchaseId: z.string(),
  accountId: z.string(),
  status: z.enum(PURCHASE_STATUSES),
  amount: microsField,
  method: z.enum(['card', 'usdc']),
  provider: z.enum(['stripe', 'spherepay']),
  createdAt: isoField,
  updatedAt: isoField,
  checkoutUrl: z.string().optional(),
  providerRef: z.string().optional(),
  paymentRef: z.string().optional(),
  lotId: z.string().optional(),
  paidAmount: microsField.optional(),
  paidTax: microsField.optional(),
  reversedAmount: microsField.optional(),
  providerRefunded: microsField.optional(),
  autoTopUp: z.literal(true).optional(),
  payment: paymentDetailsShape.optional(),
  receiptNumber: z.string().optional(),
}) satisfies z.ZodType<Purchase, unknown>;

/** A purchase item read back; what it was stored without (DynamoDB keeps no undefined) stays absent. */
export function purchaseFromItem(item: Item): Purchase {
  return readItem('purchase', shape, item);
}

/** The purchase lookup: the account of a purchase, found from its id alone. */
export function purchaseLookupFromItem(item: Item | undefined): { accountId: string } | undefined {
  return item && readItem('purchase lookup', z.object({ accountId: z.string() }), item);
}

/** The checkout lookup: the purchase a provider's checkout belongs to. */
export function checkoutLookupFromItem(item: Item | undefined): { accountId: string; purchaseId: string } | undefined {
  return item && readItem('checkout lookup', z.object({ accountId: z.string(), purchaseId: z.string() }), item);
}
