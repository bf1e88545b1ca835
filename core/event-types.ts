// The events other systems can subscribe to (SPEC §9), with what each means: one list for the
// API's schemas, the stored items and the app's endpoint form. No imports, so the app can use it.

export const EVENT_TYPES = [
  'purchase.completed',
  'charge.paid',
  'charge.pending_payment',
  'charge.failed',
  'charge.cancelled',
  'refund.created',
  'balance.low',
  'auto_top_up.succeeded',
  'auto_top_up.failed',
  'withdrawal.updated',
  'credits.expiring',
  'credits.expired',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'purchase.completed': 'A purchase was paid and its credits added',
  'charge.paid': 'A deployment was paid with credits',
  'charge.pending_payment': 'A deployment is waiting for credits (grace window)',
  'charge.failed': 'A waiting deployment was not paid in time',
  'charge.cancelled': 'A waiting deployment was cancelled',
  'refund.created': 'Credits were refunded for a charge',
  'balance.low': 'The balance went below the alert threshold',
  'auto_top_up.succeeded': 'An automatic top-up was paid',
  'auto_top_up.failed': 'An automatic top-up was declined',
  'withdrawal.updated': 'A withdrawal was requested or changed status',
  'credits.expiring': 'Credits expire within 30 or 7 days',
  'credits.expired': 'Credits expired',
};
