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
const auditQuery = z.strictObject({
  from: s.timestamp.optional(),
  to: s.timestamp.optional(),
  actor: z.string().min(1).max(256).optional().meta({ description: "Only this member of staff's (a token's sub)" }),
  accountId: s.accountIdParam.optional().meta({ description: 'Only actions on this account' }),
  limit: s.pageLimit.optional(),
  cursor: z.string().max(1024).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

const closeItemParams = z.strictObject({
  day: s.utcDay,
  itemId: z
    .string()
    .regex(/^ri_[0-9a-f]{24}$/, 'must be an item id of a close report')
    .meta({ description: "An item's id in the day's close report" }),
});
const resolveBody = z.strictObject({
  note: z.string().trim().min(1).max(1000).meta({ description: 'What was done about it, or why nothing needs doing' }),
});

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
  auditLog: defineRoute({
    method: 'GET',
    path: '/admin/audit',
    group: 'admin',
    access: 'admin',
    query: auditQuery,
  }),
  accountView: defineRoute({
    method: 'GET',
    path: '/admin/accounts/{accountId}',
    group: 'admin',
    access: 'admin',
    params: s.params.account,
  }),
  closes: defineRoute({
    method: 'GET',
    path: '/admin/closes',
    group: 'admin',
    access: 'admin',
  }),
  closeReport: defineRoute({
    method: 'GET',
    path: '/admin/closes/{day}',
    group: 'admin',
    access: 'admin',
    params: s.params.day,
  }),
  resolveCloseItem: defineRoute({
    method: 'POST',
    path: '/admin/closes/{day}/items/{itemId}/resolve',
    group: 'admin',
    access: 'admin',
    body: resolveBody,
    params: closeItemParams,
  }),
};
