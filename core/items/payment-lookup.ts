// The payment lookup: what a provider payment (a Stripe PaymentIntent, which refunds and disputes
// name) credited, or the refund and dispute reports held until it is recorded. Only the provider
// event paths read it (ledger/provider-reversals.ts), so it lives apart from the purchase item that
// auto top-ups write from within every charge.

import * as z from 'zod';
import type { Micros } from '../money.js';
import type { Item } from '../table/table.js';
import { microsField, readItem } from './fields.js';

/** A refund or dispute report held for a payment not recorded yet, in arrival order. */
export type ReversalReport =
  | { kind: 'refund' /** The provider's running total refunded on this payment. */; totalRefunded: Micros }
  | { kind: 'dispute'; amount: Micros; disputeId: string };

export interface HeldReport {
  eventId: string;
  report: ReversalReport;
}

/** The payment lookup: the purchase a provider payment credited, or the reports held until it is. */
export interface PaymentLookup {
  accountId?: string;
  purchaseId?: string;
  lotId?: string;
  held: HeldReport[];
  heldEventIds: Set<string>;
}

const reportShape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('refund'), totalRefunded: microsField }),
  z.object({ kind: z.literal('dispute'), amount: microsField, disputeId: z.string() }),
]);
const paymentLookupShape = z.object({
  accountId: z.string().optional(),
  purchaseId: z.string().optional(),
  lotId: z.string().optional(),
  held: z.array(z.object({ eventId: z.string(), report: reportShape })).optional(),
  heldEventIds: z.set(z.string()).optional(),
});

export function paymentLookupFromItem(item: Item | undefined): PaymentLookup | undefined {
  if (!item) return undefined;
  const { held, heldEventIds, ...lookup } = readItem('payment lookup', paymentLookupShape, item);
  return { ...lookup, held: held ?? [], heldEventIds: heldEventIds ?? new Set() };
}
