// The receipts group's routes (the table is routes.ts): receipts, credit notes and, later in the
// same function, statements and the billing profile (SPEC §11). Its Lambda function imports only
// these, with the request schemas only they use.

import * as z from 'zod';

import { TAX_ID_TYPES } from '../../../core/items/billing-profile.js';
import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const receiptsQuery = z.strictObject({
  kind: z
    .enum(['receipt', 'credit_note'])
    .optional()
    .meta({ description: 'receipt (the default): purchases; credit_note: provider refunds and disputes' }),
  limit: s.pageLimit.optional(),
  cursor: z.string().max(1024).optional(),
  accountId: s.accountIdParam.optional(),
});

const documentNumber = z
  .string()
  .regex(/^IOC-(CN-)?\d{4}-\d{6}$/, 'must be a receipt number (IOC-YYYY-NNNNNN) or a credit note number')
  .meta({ examples: ['IOC-2026-000042'] });

const line = (max: number) => z.string().trim().min(1).max(max);
const billingProfileBody = z.strictObject({
  name: line(200).meta({ description: 'The person or company receipts are made out to' }),
  email: z.email().max(254).optional(),
  address: z.strictObject({
    line1: line(200),
    line2: line(200).optional(),
    city: line(100),
    postalCode: line(20).optional(),
    region: line(100).optional(),
    country: z.string().meta({ description: 'ISO 3166-1 alpha-2, e.g. DE', examples: ['DE'] }),
  }),
  taxId: z
    .strictObject({
      type: z.enum(TAX_ID_TYPES),
      value: line(32).meta({ description: 'Checked for the format and check digits of its type' }),
    })
    .optional(),
});

export const receiptsRoutes = {
  billingProfile: defineRoute({
    method: 'GET',
    path: '/credits/billing-profile',
    group: 'receipts',
    access: 'user',
    query: s.accountQuery,
  }),
  setBillingProfile: defineRoute({
    method: 'PUT',
    path: '/credits/billing-profile',
    group: 'receipts',
    access: 'user',
    body: billingProfileBody,
  }),
  receipts: defineRoute({
    method: 'GET',
    path: '/credits/receipts',
    group: 'receipts',
    access: 'user',
    query: receiptsQuery,
  }),
  receipt: defineRoute({
    method: 'GET',
    path: '/credits/receipts/{number}',
    group: 'receipts',
    access: 'user',
    params: z.strictObject({ number: documentNumber }),
    query: z.strictObject({
      format: z
        .enum(['json', 'pdf'])
        .optional()
        .meta({ description: 'pdf: an A4 PDF (also with Accept: application/pdf)' }),
      accountId: s.accountIdParam.optional(),
    }),
  }),
  statement: defineRoute({
    method: 'GET',
    path: '/credits/statements/{month}',
    group: 'receipts',
    access: 'user',
    params: z.strictObject({
      month: z
        .string()
        .regex(/^\d{4}-\d{2}$/, 'must be a month, YYYY-MM')
        .meta({ description: 'A UTC calendar month', examples: ['2026-01'] }),
    }),
    query: z.strictObject({
      format: z
        .enum(['json', 'csv', 'pdf'])
        .optional()
        .meta({ description: 'csv: every entry of the month, then the totals; pdf: an A4 PDF (also with Accept)' }),
      cursor: z
        .string()
        .max(1024)
        .optional()
        .meta({ description: 'CSV only: the X-Next-Cursor of the previous part, for a month of over 10,000 entries' }),
      accountId: s.accountIdParam.optional(),
    }),
  }),
};
