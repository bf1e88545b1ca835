// POST /credits/charges, GET /credits/charges/{chargeId}, refunds and cancel: what the
// deployment system calls when a deployment is paid with credits.

import type * as z from 'zod';
import { charge, getCharge } from '../core/ledger/charge.js';
import { cancelPendingCharge } from '../core/ledger/pending.js';
import { refund } from '../core/ledger/refund.js';
import { accountFor } from './http/auth.js';
import { groupHandler, type Request } from './http/handler.js';
import { present } from './http/present.js';
import type * as s from './http/schemas.js';

export const handler = groupHandler({
  'POST /credits/charges': async ({
    caller,
    body,
    idempotencyKey,
    runtime,
  }: Request<unknown, z.output<typeof s.chargeBody>>) => {
    const accountId = accountFor(caller, body.accountId, 'write');
    const result = await charge(runtime.ledger, {
      accountId,
      deploymentId: body.deploymentId,
      amount: body.amount,
      description: body.description,
      idempotencyKey: idempotencyKey!,
    });
    return { status: result.status === 'paid' ? 201 : 202, body: present.chargeResult(result) };
  },

  'GET /credits/charges/{chargeId}': async ({
    caller,
    query,
    params,
    runtime,
  }: Request<z.output<typeof s.accountQuery>>) => {
    const accountId = accountFor(caller, query.accountId, 'read');
    return { status: 200, body: present.charge(await getCharge(runtime.ledger, accountId, params.chargeId!)) };
  },

  'POST /credits/charges/{chargeId}/refunds': async ({
    caller,
    body,
    params,
    idempotencyKey,
    runtime,
  }: Request<unknown, z.output<typeof s.refundBody>>) => {
    const accountId = accountFor(caller, body.accountId, 'credit');
    const result = await refund(runtime.ledger, {
      accountId,
      chargeId: params.chargeId!,
      amount: body.amount,
      reason: body.reason,
      idempotencyKey: idempotencyKey!,
    });
    return { status: 201, body: present.refund(result) };
  },

  'POST /credits/charges/{chargeId}/cancel': async ({
    caller,
    query,
    params,
    runtime,
  }: Request<z.output<typeof s.accountQuery>>) => {
    const accountId = accountFor(caller, query.accountId, 'write');
    return { status: 200, body: await cancelPendingCharge(runtime.ledger, accountId, params.chargeId!) };
  },
});
