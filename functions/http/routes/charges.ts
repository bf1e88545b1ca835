// The charges group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import * as z from 'zod';
import { DEPLOYMENT_ID, PROJECT_ID } from '../../../core/ids.js';

import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const chargeBody = z.strictObject({
  deploymentId: z.string().regex(DEPLOYMENT_ID, 'must be 1-128 letters, digits or _.:-'),
  product: s.product.optional().meta({ description: 'What the deployment is: absent means other (SPEC §10)' }),
  projectId: z
    .string()
    .regex(PROJECT_ID, 'must be 1-128 letters, digits or _.:-')
    .optional()
    .meta({ description: 'The project the deployment belongs to' }),
  amount: s.positiveAmount,
  description: z.string().min(1).max(500).optional(),
  accountId: s.accountIdParam.optional(),
});
const refundBody = z.strictObject({
  amount: s.positiveAmount,
  reason: z.string().min(1).max(500).optional(),
  accountId: s.accountIdParam.optional(),
});

export const chargesRoutes = {
  createCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges',
    group: 'charges',
    access: 'user',
    body: chargeBody,
    idempotencyKey: 'required',
  }),
  getCharge: defineRoute({
    method: 'GET',
    path: '/credits/charges/{chargeId}',
    group: 'charges',
    access: 'user',
    query: s.accountQuery,
    params: s.params.charge,
  }),
  refundCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges/{chargeId}/refunds',
    group: 'charges',
    access: 'service',
    body: refundBody,
    idempotencyKey: 'required',
    params: s.params.charge,
  }),
  cancelCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges/{chargeId}/cancel',
    group: 'charges',
    access: 'user',
    query: s.accountQuery,
    body: s.emptyBody,
    params: s.params.charge,
  }),
};
