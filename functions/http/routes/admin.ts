// The admin group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import * as z from 'zod';

import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const adminWithdrawalsQuery = z.strictObject({
  status: z.enum(['pending_review', 'approved', 'completed', 'rejected', 'cancelled']).optional(),
});
const rejectBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });
const completeBody = z.strictObject({
  payoutReference: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .meta({ description: 'The payout transaction on the destination network (its hash)' }),
});
const grantBody = z.strictObject({
  amount: s.centsAmount,
  expiresAt: s.timestamp.nullable().optional(),
  description: z.string().trim().min(1).max(500),
  conditions: z.string().trim().min(1).max(2000).optional(),
  products: z
    .array(s.product)
    .min(1)
    .max(6)
    .optional()
    .meta({ description: 'Credit for these products only (scoped promotional credit, SPEC §10)' }),
});
const allowanceBody = z.strictObject({ amount: s.nonNegativeAmount });

export const adminRoutes = {
  withdrawalQueue: defineRoute({
    method: 'GET',
    path: '/admin/withdrawals',
    group: 'admin',
    access: 'admin',
    query: adminWithdrawalsQuery,
  }),
  approveWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/approve',
    group: 'admin',
    access: 'admin',
    body: s.emptyBody,
    params: s.params.withdrawal,
  }),
  rejectWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/reject',
    group: 'admin',
    access: 'admin',
    body: rejectBody,
    params: s.params.withdrawal,
  }),
  completeWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/complete',
    group: 'admin',
    access: 'admin',
    body: completeBody,
    params: s.params.withdrawal,
  }),
  grantPromotional: defineRoute({
    method: 'POST',
    path: '/admin/accounts/{accountId}/grants',
    group: 'admin',
    access: 'admin',
    body: grantBody,
    idempotencyKey: 'optional',
    params: s.params.account,
  }),
  setNegativeAllowance: defineRoute({
    method: 'PUT',
    path: '/admin/accounts/{accountId}/negative-allowance',
    group: 'admin',
    access: 'admin',
    body: allowanceBody,
    params: s.params.account,
  }),
};
