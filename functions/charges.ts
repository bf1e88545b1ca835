// POST /credits/charges, GET /credits/charges/{chargeId}, refunds and cancel: what the
// deployment system calls when a deployment is paid with credits.

import { charge, getCharge } from '../core/ledger/charge.js';
import { cancelPendingCharge } from '../core/ledger/pending-charges.js';
import { refund } from '../core/ledger/refund.js';
import { accountFor, actorOf } from './http/auth.js';
import { groupHandler, implement } from './http/handler.js';
import * as present from './http/present.js';
import { chargesRoutes as api } from './http/routes/charges.js';

export const handler = groupHandler([
  implement(api.createCharge, async ({ caller, body, idempotencyKey, runtime }) => {
    const accountId = accountFor(caller, body.accountId, 'write');
    const result = await charge(runtime.ledger, {
      accountId,
      deploymentId: body.deploymentId,
      ...(body.product ? { product: body.product } : {}),
      ...(body.projectId ? { projectId: body.projectId } : {}),
      amount: body.amount,
      description: body.description,
      idempotencyKey: idempotencyKey,
    });
    return { status: result.status === 'paid' ? 201 : 202, body: present.chargeResult(result) };
  }),

  implement(api.getCharge, async ({ caller, query, params, runtime }) => {
    const accountId = accountFor(caller, query.accountId, 'read');
    return { status: 200, body: present.charge(await getCharge(runtime.ledger, accountId, params.chargeId)) };
  }),

  implement(api.refundCharge, async ({ caller, body, params, idempotencyKey, runtime }) => {
    const accountId = accountFor(caller, body.accountId, 'credit');
    const result = await refund(runtime.ledger, {
      accountId,
      chargeId: params.chargeId,
      amount: body.amount,
      reason: body.reason,
      idempotencyKey: idempotencyKey,
      actor: actorOf(caller),
    });
    return { status: 201, body: present.refund(result) };
  }),

  implement(api.cancelCharge, async ({ caller, query, params, runtime }) => {
    const accountId = accountFor(caller, query.accountId, 'write');
    return { status: 200, body: await cancelPendingCharge(runtime.ledger, accountId, params.chargeId) };
  }),
]);
