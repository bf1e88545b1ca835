// The balance group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import * as z from 'zod';
import { CATEGORIES, ENTRY_TYPES } from '../../../core/items/entry.js';

import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const balanceQuery = z.strictObject({
  accountId: s.accountIdParam.optional(),
  at: s.timestamp.optional().meta({
    description: 'Answer the balance recorded by the last ledger entry at or before this instant (not in the future)',
  }),
});
const checkQuery = z.strictObject({
  amount: s.nonNegativeAmount,
  product: s.product.optional().meta({ description: 'The product the charge would be for (absent: other)' }),
  accountId: s.accountIdParam.optional(),
});
const transactionsQuery = z.strictObject({
  type: z.enum(ENTRY_TYPES).optional(),
  category: z
    .enum(CATEGORIES)
    .optional()
    .meta({
      description:
        'Only entries shown under this category (Credit Inflow, Usage Deductions, Refunds, Expired, Withdrawals, ' +
        'Adjustments)',
    }),
  product: s.product.optional().meta({ description: 'Only usage and refunds of this product' }),
  from: s.timestamp.optional(),
  to: s.timestamp.optional(),
  limit: s.pageLimit.optional(),
  cursor: z.string().max(1024).optional(),
  format: z.enum(['json', 'csv']).optional(),
  accountId: s.accountIdParam.optional(),
});
const usageQuery = z.strictObject({
  from: s.timestamp.optional(),
  to: s.timestamp.optional(),
  granularity: z.enum(['day', 'month']).optional(),
  groupBy: z.enum(['product']).optional().meta({ description: 'Adds byProduct to each bucket and to the total' }),
  accountId: s.accountIdParam.optional(),
});

const proofQuery = z.strictObject({
  day: s.utcDay.optional().meta({ description: 'The closed day whose digest to prove against (absent: the latest)' }),
  accountId: s.accountIdParam.optional(),
});

export const balanceRoutes = {
  balance: defineRoute({
    method: 'GET',
    path: '/credits/balance',
    group: 'balance',
    access: 'user',
    query: balanceQuery,
  }),
  check: defineRoute({
    method: 'GET',
    path: '/credits/check',
    group: 'balance',
    access: 'user',
    query: checkQuery,
  }),
  transactions: defineRoute({
    method: 'GET',
    path: '/credits/transactions',
    group: 'balance',
    access: 'user',
    query: transactionsQuery,
  }),
  usage: defineRoute({
    method: 'GET',
    path: '/credits/usage',
    group: 'balance',
    access: 'user',
    query: usageQuery,
  }),
  digest: defineRoute({
    method: 'GET',
    path: '/credits/digests/{day}',
    group: 'balance',
    access: 'user',
    params: s.params.day,
  }),
  proof: defineRoute({
    method: 'GET',
    path: '/credits/proof',
    group: 'balance',
    access: 'user',
    query: proofQuery,
  }),
};
