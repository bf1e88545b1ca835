// The request schemas several route groups share (zod): amounts, ids, path parameters, empty
// bodies. They validate and type what handlers receive, and produce the OpenAPI document's
// parameters and bodies (functions/openapi.ts). A schema only one group uses lives with that
// group's routes (routes/*.ts), so no other function's bundle carries it; what routes answer is
// in route-responses.ts, which only the OpenAPI document carries.

import * as z from 'zod';
import { ACCOUNT_ID, type IdPrefix, idPattern } from '../../core/ids.js';
import { MICROS_PER_CENT, type Micros, parseCents, parseMicros, parsePositiveMicros } from '../../core/money.js';
import { PRODUCTS } from '../../core/products.js';
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
export const nonNegativeCents = money((text, field) => {
  const value = parseMicros(text, field);
  if (value < 0) throw new Error(`${field} can not be negative`);
  if (value % MICROS_PER_CENT !== 0) throw new Error(`${field} must be whole cents`);
  return value;
}, `${DECIMAL_DOC} Zero or more, in whole cents.`);

const id = (prefix: IdPrefix) => z.string().regex(idPattern(prefix), `must be a ${prefix}_ id`);
export const product = z.enum(PRODUCTS).meta({ description: `One of ${PRODUCTS.join(', ')}` });
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

/** A UTC day, YYYY-MM-DD: a closed day of the ledger (SPEC §12). */
export const utcDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a UTC day, YYYY-MM-DD')
  .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'must be a day of the calendar');

/** Path parameters, one schema per shape of path. */
export const params = {
  charge: z.strictObject({ chargeId: ids.charge }),
  purchase: z.strictObject({ purchaseId: ids.purchase }),
  withdrawal: z.strictObject({ withdrawalId: ids.withdrawal }),
  notification: z.strictObject({ notificationId: ids.notification }),
  account: z.strictObject({ accountId: accountIdParam }),
  webhookEndpoint: z.strictObject({ endpointId: ids.webhookEndpoint }),
  webhookDelivery: z.strictObject({ endpointId: ids.webhookEndpoint, deliveryId: ids.webhookDelivery }),
  day: z.strictObject({ day: utcDay }),
};

// ---- requests ----

export const accountQuery = z.strictObject({ accountId: accountIdParam.optional() });
export const notificationsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'must be 1..100')
    .optional(),
});
export const emptyQuery = z.strictObject({});
/** How many items one page answers: 1..100. */
export const pageLimit = z
  .string()
  .regex(/^\d{1,3}$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 100, 'must be 1..100');
export const emptyBody = z.strictObject({}).optional();
