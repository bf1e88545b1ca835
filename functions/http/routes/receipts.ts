// The receipts group's routes (the table is routes.ts): receipts, credit notes and, later in the
// same function, statements and the billing profile (SPEC §11). Its Lambda function imports only
// these, with the request schemas only they use.

import * as z from 'zod';

import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const receiptsQuery = z.strictObject({
  kind: z
    .enum(['receipt', 'credit_note'])
    .optional()
    .meta({ description: 'receipt (the default): purchases; credit_note: provider refunds and disputes' }),
  limit: s.pageLimit,
  cursor: z.string().max(1024).optional(),
  accountId: s.accountIdParam.optional(),
});

const documentNumber = z
  .string()
  .regex(/^IOC-(CN-)?\d{4}-\d{6}$/, 'must be a receipt number (IOC-YYYY-NNNNNN) or a credit note number')
  .meta({ examples: ['IOC-2026-000042'] });

export const receiptsRoutes = {
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
    query: s.accountQuery,
  }),
};
