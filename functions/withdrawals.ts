// POST /credits/withdrawals, GET /credits/withdrawals, POST /credits/withdrawals/{id}/cancel:
// a user's own withdrawals of purchased credit.

import { cancelWithdrawal, listWithdrawals, requestWithdrawal } from '../core/ledger/withdrawals.js';
import { accountFor } from './http/auth.js';
import { groupHandler, implement } from './http/handler.js';
import * as present from './http/present.js';
import { withdrawalsRoutes as api } from './http/routes/withdrawals.js';

export const handler = groupHandler([
  implement(api.requestWithdrawal, async ({ caller, body, idempotencyKey, runtime }) => {
    const accountId = accountFor(caller, undefined, 'write');
    return {
      status: 201,
      body: present.withdrawal(
        await requestWithdrawal(runtime.ledger, {
          accountId,
          amount: body.amount,
          destination: body.destination,
          idempotencyKey,
        }),
      ),
    };
  }),

  implement(api.listWithdrawals, async ({ caller, query, runtime }) => {
    const accountId = accountFor(caller, query.accountId, 'read');
    return { status: 200, body: { items: (await listWithdrawals(runtime.ledger, accountId)).map(present.withdrawal) } };
  }),

  implement(api.cancelWithdrawal, async ({ caller, params, runtime }) => {
    const accountId = accountFor(caller, undefined, 'write');
    return {
      status: 200,
      body: present.withdrawal(await cancelWithdrawal(runtime.ledger, accountId, params.withdrawalId)),
    };
  }),
]);
