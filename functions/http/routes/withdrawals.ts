// The withdrawals group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import * as z from 'zod';
import { PAYOUT_NETWORKS } from '../../../core/payout.js';

import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const destination = z
  .strictObject({
    network: z.enum(PAYOUT_NETWORKS).meta({ description: 'The chain the USDC is sent on' }),
    address: z.string().max(128).meta({
      description:
        'base58 of a 32-byte key on Solana; 0x and 40 hex digits (EIP-55 checksum when mixed-case) on EVM chains',
    }),
  })
  // Whether the address is valid on its network (checksums, base58) is the withdrawal request's
  // own check (core/destination.ts), so only that function's bundle carries those libraries.
  .meta({ description: 'Where finance sends the USDC; a payout goes nowhere else' });
const withdrawalBody = z.strictObject({ amount: s.centsAmount, destination });

export const withdrawalsRoutes = {
  requestWithdrawal: defineRoute({
    method: 'POST',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    body: withdrawalBody,
    idempotencyKey: 'optional',
  }),
  listWithdrawals: defineRoute({
    method: 'GET',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    query: s.accountQuery,
  }),
  cancelWithdrawal: defineRoute({
    method: 'POST',
    path: '/credits/withdrawals/{withdrawalId}/cancel',
    group: 'withdrawals',
    access: 'user',
    body: s.emptyBody,
    params: s.params.withdrawal,
  }),
};
