// POST /credits/withdrawals, GET /credits/withdrawals, POST /credits/withdrawals/{id}/cancel:
// a user's own withdrawals of purchased credit.

import type * as z from 'zod';
import { cancelWithdrawal, listWithdrawals, requestWithdrawal } from '../core/ledger/withdrawals.js';
import { accountFor } from './http/auth.js';
import { groupHandler, type Request } from './http/handler.js';
import { present } from './http/present.js';
import type * as s from './http/schemas.js';

export const handler = groupHandler({
  'POST /credits/withdrawals': async ({
    caller,
    body,
    idempotencyKey,
    runtime,
  }: Request<unknown, z.output<typeof s.withdrawalBody>>) => {
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
  },

  'GET /credits/withdrawals': async ({ caller, runtime }: Request) => {
    const accountId = accountFor(caller, undefined, 'read');
    return { status: 200, body: { items: (await listWithdrawals(runtime.ledger, accountId)).map(present.withdrawal) } };
  },

  'POST /credits/withdrawals/{withdrawalId}/cancel': async ({ caller, params, runtime }: Request) => {
    const accountId = accountFor(caller, undefined, 'write');
    return {
      status: 200,
      body: present.withdrawal(await cancelWithdrawal(runtime.ledger, accountId, params.withdrawalId!)),
    };
  },
});
