// /admin/*: the finance queue for withdrawals, promotional grants and negative allowances.
// Every route needs the credits:admin scope (checked by the route table's `access`).

import { setNegativeAllowance } from '../core/ledger/allowance.js';
import { grantPromotional } from '../core/ledger/grants.js';
import {
  approveWithdrawal,
  completeWithdrawal,
  listWithdrawalsByStatus,
  rejectWithdrawal,
} from '../core/ledger/withdrawals.js';
import { formatMicros } from '../core/money.js';
import { groupHandler, implement } from './http/handler.js';
import { present } from './http/present.js';
import { adminRoutes as api } from './http/routes/admin.js';

export const handler = groupHandler([
  implement(api.withdrawalQueue, async ({ query, runtime }) => ({
    status: 200,
    body: {
      items: (await listWithdrawalsByStatus(runtime.ledger, query.status ?? 'pending_review')).map(present.withdrawal),
    },
  })),

  implement(api.approveWithdrawal, async ({ params, runtime }) => ({
    status: 200,
    body: present.withdrawal(await approveWithdrawal(runtime.ledger, params.withdrawalId)),
  })),

  implement(api.rejectWithdrawal, async ({ params, body, runtime }) => ({
    status: 200,
    body: present.withdrawal(await rejectWithdrawal(runtime.ledger, params.withdrawalId, body.reason)),
  })),

  implement(api.completeWithdrawal, async ({ params, body, runtime }) => ({
    status: 200,
    body: present.withdrawal(await completeWithdrawal(runtime.ledger, params.withdrawalId, body.payoutReference)),
  })),

  implement(api.grantPromotional, async ({ params, body, idempotencyKey, runtime }) => {
    const grant = await grantPromotional(runtime.ledger, {
      accountId: params.accountId,
      amount: body.amount,
      expiresAtMs: body.expiresAt ?? null,
      description: body.description,
      conditions: body.conditions,
      ...(body.products ? { products: body.products } : {}),
      idempotencyKey,
    });
    return { status: 201, body: present.grant(grant) };
  }),

  implement(api.setNegativeAllowance, async ({ params, body, runtime }) => {
    const result = await setNegativeAllowance(runtime.ledger, params.accountId, body.amount);
    return {
      status: 200,
      body: {
        accountId: result.accountId,
        negativeAllowance: formatMicros(result.negativeAllowance),
        debt: formatMicros(result.debt),
      },
    };
  }),
]);
