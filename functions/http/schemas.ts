// Request schemas (zod): they validate and type what handlers receive, and produce the OpenAPI
// document's parameters and bodies (functions/openapi.ts). What routes answer is in
// route-responses.ts, which only the OpenAPI document carries.

import * as z from 'zod';
import { ACCOUNT_ID, DEPLOYMENT_ID, type IdPrefix, idPattern } from '../../core/ids.js';
import { CATEGORIES, ENTRY_TYPES } from '../../core/items/entry.js';
import { EVENT_TYPES } from '../../core/items/webhook.js';
import { type Micros, parseCents, parseMicros, parsePositiveMicros } from '../../core/money.js';
import { PAYOUT_NETWORKS } from '../../core/payout.js';
import { parseIso } from '../../core/time.js';
import { JsonNumber } from './json-body.js';

const DECIMAL_DOC =
  'A decimal amount of credits (1 credit = 1 USD), as a string ("12.50") or a JSON number read from its text; ' +
  'at most 6 decimals, at most 1,000,000,000.';

/** A JSON number in a body, kept as its text (see json-body.ts); the OpenAPI document says `number`. */
export const jsonNumber = z.instanceof(JsonNumber);
/** A string, or a JSON number read from its source text. */
export const numberOrText = z
  .union([z.string(), jsonNumber])
  .transform((value) => (typeof value === 'string' ? value : value.text));

function money(parse: (text: string, field: string) => Micros, description: string) {
  return numberOrText
    .transform((value, ctx) => {
      try {
        return parse(value, 'amount');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .meta({ description, examples: ['12.50'] });
}

export const anyAmount = money(parseMicros, DECIMAL_DOC);
export const positiveAmount = money(parsePositiveMicros, `${DECIMAL_DOC} Greater than zero.`);
export const centsAmount = money(parseCents, `${DECIMAL_DOC} Greater than zero, in whole cents.`);
export const nonNegativeAmount = money((text, field) => {
  const value = parseMicros(text, field);
  if (value < 0) throw new Error(`${field} can not be negative`);
  return value;
}, `${DECIMAL_DOC} Zero or more.`);

const id = (prefix: IdPrefix) => z.string().regex(idPattern(prefix), `must be a ${prefix}_ id`);
export const accountIdParam = z
  .string()
  .regex(ACCOUNT_ID, 'must be an IO ID')
  .meta({ description: 'The IO ID of the account; only for tokens that may act for others.' });
export const timestamp = z
  .string()
  .refine((text) => parseIso(text) !== undefined, 'must be an ISO-8601 date or timestamp with a zone')
  .transform((text) => parseIso(text)!)
  .meta({ description: 'ISO-8601, e.g. 2026-11-24 or 2026-11-24T10:00:00Z' });

export const ids = {
  charge: id('ch'),
  withdrawal: id('wd'),
  notification: id('nt'),
  purchase: id('pu'),
  webhookEndpoint: id('we'),
  webhookDelivery: id('dl'),
};

/** Path parameters, one schema per shape of path. */
export const params = {
  charge: z.strictObject({ chargeId: ids.charge }),
  purchase: z.strictObject({ purchaseId: ids.purchase }),
  withdrawal: z.strictObject({ withdrawalId: ids.withdrawal }),
  notification: z.strictObject({ notificationId: ids.notification }),
  account: z.strictObject({ accountId: accountIdParam }),
  webhookEndpoint: z.strictObject({ endpointId: ids.webhookEndpoint }),
  webhookDelivery: z.strictObject({ endpointId: ids.webhookEndpoint, deliveryId: ids.webhookDelivery }),
};

// ---- requests ----

export const accountQuery = z.strictObject({ accountId: accountIdParam.optional() });
export const balanceQuery = z.strictObject({
  accountId: accountIdParam.optional(),
  at: timestamp.optional().meta({
    description: 'Answer the balance recorded by the last ledger entry at or before this instant (not in the future)',
  }),
});
export const checkQuery = z.strictObject({ amount: nonNegativeAmount, accountId: accountIdParam.optional() });
export const chargeBody = z.strictObject({
  deploymentId: z.string().regex(DEPLOYMENT_ID, 'must be 1-128 letters, digits or _.:-'),
  amount: positiveAmount,
  description: z.string().min(1).max(500).optional(),
  accountId: accountIdParam.optional(),
});
export const refundBody = z.strictObject({
  amount: positiveAmount,
  reason: z.string().min(1).max(500).optional(),
  accountId: accountIdParam.optional(),
});
export const transactionsQuery = z.strictObject({
  type: z.enum(ENTRY_TYPES).optional(),
  category: z
    .enum(CATEGORIES)
    .optional()
    .meta({
      description:
        'Only entries shown under this category (Credit Inflow, Usage Deductions, Refunds, Expired, Withdrawals, ' +
        'Adjustments)',
    }),
  from: timestamp.optional(),
  to: timestamp.optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'must be 1..100')
    .optional(),
  cursor: z.string().max(1024).optional(),
  format: z.enum(['json', 'csv']).optional(),
  accountId: accountIdParam.optional(),
});
export const usageQuery = z.strictObject({
  from: timestamp.optional(),
  to: timestamp.optional(),
  granularity: z.enum(['day', 'month']).optional(),
  accountId: accountIdParam.optional(),
});
export const destination = z
  .strictObject({
    network: z.enum(PAYOUT_NETWORKS).meta({ description: 'The chain the USDC is sent on' }),
    address: z.string().max(128).meta({
      description:
        'base58 of a 32-byte key on Solana; 0x and 40 hex digits (EIP-55 checksum when mixed-case) on EVM chains',
    }),
  })
  // Whether the address is valid on its network (checksums, base58) is the withdrawal request's
  // own check (core/destination.ts), so only that function's bundle carries those libraries.
  .meta({ description: 'Where finance sends the USDC; a payout goes nowhere else' });
export const withdrawalBody = z.strictObject({ amount: centsAmount, destination });
export const purchaseBody = z.strictObject({
  amount: centsAmount,
  method: z.enum(['card', 'usdc']).meta({ description: 'card: Stripe Checkout; usdc: a Spherepay payment link' }),
});
export const adminWithdrawalsQuery = z.strictObject({
  status: z.enum(['pending_review', 'approved', 'completed', 'rejected', 'cancelled']).optional(),
});
export const rejectBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });
export const completeBody = z.strictObject({
  payoutReference: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .meta({ description: 'The payout transaction on the destination network (its hash)' }),
});
export const grantBody = z.strictObject({
  amount: centsAmount,
  expiresAt: timestamp.nullable().optional(),
  description: z.string().trim().min(1).max(500),
  conditions: z.string().trim().min(1).max(2000).optional(),
});
export const allowanceBody = z.strictObject({ amount: nonNegativeAmount });
export const notificationsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'must be 1..100')
    .optional(),
});
export const alertsBody = z.strictObject({
  lowBalanceThreshold: nonNegativeAmount
    .nullable()
    .meta({ description: 'Alert when an operation takes the balance below this; null turns the alert off' }),
});
export const webhookEndpointBody = z.strictObject({
  url: z.string().min(1).max(2_048).meta({ description: 'https URL receiving the events (public addresses only)' }),
  events: z
    .array(z.enum(EVENT_TYPES))
    .min(1)
    .max(EVENT_TYPES.length)
    .meta({ description: 'The event types to send to it' }),
  accountId: accountIdParam.optional().meta({
    description: "Whose events: the caller's own by default; services and admins, omitting it, get every account's",
  }),
});
export const webhookEndpointsQuery = z.strictObject({ accountId: accountIdParam.optional() });
export const deliveriesQuery = notificationsQuery;
export const autoTopUpBody = z.strictObject({
  enabled: z.boolean(),
  threshold: nonNegativeAmount.meta({ description: 'Top up when an operation leaves the balance below this' }),
  amount: centsAmount.meta({ description: 'Each top-up: 5.00 to 10,000.00, more when waiting charges need more' }),
  monthlyLimit: centsAmount.meta({ description: "A calendar month's top-ups (UTC) never add up to more" }),
});
export const emptyQuery = z.strictObject({});
export const emptyBody = z.strictObject({}).optional();
