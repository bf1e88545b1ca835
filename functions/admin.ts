// /admin/*: the finance queue for withdrawals, promotional grants and negative allowances.
// Every route needs the credits:admin scope (checked by the route table's `access`).

import type * as z from 'zod';
import { setNegativeAllowance } from '../core/ledger/allowance.js';
import { grantPromotional } from '../core/ledger/grants.js';
import {
  approveWithdrawal,
  completeWithdrawal,
  listWithdrawalsByStatus,
  rejectWithdrawal,
} from '../core/ledger/withdrawals.js';
import { formatMicros } from '../core/money.js';
import { groupHandler, type Request } from './http/handler.js';
import { present } from './http/present.js';
import type * as s from './http/schemas.js';

export const handler = groupHandler({
  'GET /admin/withdrawals': async ({ query, runtime }: Request<z.output<typeof s.adminWithdrawalsQuery>>) => ({
    status: 200,
    body: {
      items: (await listWithdrawalsByStatus(runtime.ledger, query.status ?? 'pending_review')).map(present.withdrawal),
    },
  }),

  'POST /admin/withdrawals/{withdrawalId}/approve': async ({ params, runtime }: Request) => ({
    status: 200,
    body: present.withdrawal(await approveWithdrawal(runtime.ledger, params.withdrawalId!)),
  }),

  'POST /admin/withdrawals/{withdrawalId}/reject': async ({
    params,
    body,
    runtime,
  }: Request<unknown, z.output<typeof s.rejectBody>>) => ({
    status: 200,
    body: present.withdrawal(await rejectWithdrawal(runtime.ledger, params.withdrawalId!, body.reason)),
  }),

  'POST /admin/withdrawals/{withdrawalId}/complete': async ({
    params,
    body,
    runtime,
  }: Request<unknown, z.output<typeof s.completeBody>>) => ({
    status: 200,
    body: present.withdrawal(await completeWithdrawal(runtime.ledger, params.withdrawalId!, body.payoutReference)),
  }),

  'POST /admin/accounts/{accountId}/grants': async ({
    params,
    body,
    idempotencyKey,
    runtime,
  }: Request<unknown, z.output<typeof s.grantBody>>) => {
    const grant = await grantPromotional(runtime.ledger, {
      accountId: params.accountId!,
      amount: body.amount,
      expiresAtMs: body.expiresAt ?? null,
      description: body.description,
      conditions: body.conditions,
      idempotencyKey,
    });
    return { status: 201, body: present.grant(grant) };
  },

  'PUT /admin/accounts/{accountId}/negative-allowance': async ({
    params,
    body,
    runtime,
  }: Request<unknown, z.output<typeof s.allowanceBody>>) => {
    const result = await setNegativeAllowance(runtime.ledger, params.accountId!, body.amount);
    return {
      status: 200,
      body: {
        accountId: result.accountId,
        negativeAllowance: formatMicros(result.negativeAllowance),
        debt: formatMicros(result.debt),
      },
    };
  },
});
