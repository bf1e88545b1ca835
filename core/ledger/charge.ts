// Charging a deployment. Paid at once when balance − amount ≥ −allowance (lots first in
// consumption order, the rest as debt); otherwise the charge waits in `pending_payment` until
// credit arrives or its grace deadline passes. Nothing is taken from a pending charge.

import { MAX_PENDING_CHARGES } from '../account.js';
import { Conflict, InvalidRequest, NotFound } from '../errors.js';
import { DEPLOYMENT_ID } from '../ids.js';
import { formatMicros, type Micros, max, micros, ZERO } from '../money.js';
import { chargeQueueIndex, keys } from '../table/keys.js';
import { iso } from '../time.js';
import { fingerprint, type Ledger, run } from './ledger.js';
import type { Charge } from './types.js';

export interface ChargeInput {
  accountId: string;
  deploymentId: string;
  amount: Micros;
  description?: string;
  idempotencyKey: string;
}

export type ChargeResult =
  | { chargeId: string; deploymentId: string; status: 'paid'; amount: Micros; usedAllowance: Micros; balance: Micros }
  | {
      chargeId: string;
      deploymentId: string;
      status: 'pending_payment';
      amount: Micros;
      shortfall: Micros;
      graceExpiresAt: string;
    };

export async function charge(ledger: Ledger, input: ChargeInput): Promise<ChargeResult> {
  if (input.amount <= 0) throw new InvalidRequest('amount must be greater than zero');
  if (!DEPLOYMENT_ID.test(input.deploymentId))
    throw new InvalidRequest('deploymentId must be 1-128 letters, digits or _.:-');
  const description = input.description ?? `Deployment ${input.deploymentId}`;
  return run(ledger, {
    name: 'charge',
    accountId: input.accountId,
    idempotency: {
      scope: 'charge',
      key: input.idempotencyKey,
      fingerprint: fingerprint([input.deploymentId, input.amount, description]),
    },
    plan: (draft): ChargeResult => {
      const chargeId = draft.id('ch');
      const base = {
        ...keys.charge(draft.accountId, chargeId),
        itemType: 'charge',
        chargeId,
        accountId: draft.accountId,
        deploymentId: input.deploymentId,
        amount: input.amount,
        refunded: ZERO,
        description,
        createdAt: draft.now,
      };
      if (draft.canPay(input.amount)) {
        const { allocations, debtCreated } = draft.payFromBalance(chargeId, input.amount);
        draft.put({
          ...base,
          status: 'paid',
          allocations,
          debtCreated,
          paidAt: draft.now,
          ...draft.outboxKeys(chargeId),
        });
        draft.outcome({
          chargeId,
          status: 'paid',
          amount: input.amount,
          wasPending: false,
          deploymentId: input.deploymentId,
        });
        draft.entry({
          type: 'usage',
          amount: micros(-input.amount),
          reference: chargeId,
          description,
          lots: allocations.map((a) => ({ lotId: a.lotId, amount: a.taken })),
        });
        if (debtCreated > 0)
          draft.notify(
            'allowance_used',
            `Charge ${chargeId} used ${formatMicros(debtCreated)} of your negative allowance.`,
          );
        return {
          chargeId,
          deploymentId: input.deploymentId,
          status: 'paid',
          amount: input.amount,
          usedAllowance: debtCreated,
          balance: draft.balance(),
        };
      }
      if (draft.state.pending.length >= MAX_PENDING_CHARGES)
        throw new Conflict(`the account already has ${MAX_PENDING_CHARGES} charges waiting for payment`);
      const graceExpiresAtMs = draft.nowMs + draft.config.gracePeriodMs;
      const shortfall = max(ZERO, micros(input.amount - draft.balance()));
      draft.state.pending.push({ chargeId, amount: input.amount, graceExpiresAtMs });
      draft.put({
        ...base,
        status: 'pending_payment',
        allocations: [],
        debtCreated: ZERO,
        graceExpiresAt: iso(graceExpiresAtMs),
        gsi3pk: chargeQueueIndex.deadlinePk(chargeId),
        gsi3sk: chargeQueueIndex.sk(graceExpiresAtMs, chargeId),
      });
      draft.deadlines.push({ accountId: draft.accountId, chargeId, dueAtMs: graceExpiresAtMs });
      draft.notify(
        'top_up_needed',
        `Charge ${chargeId} for ${formatMicros(input.amount)} credits is waiting: top up ${formatMicros(shortfall)} credits before ${iso(graceExpiresAtMs)}.`,
      );
      return {
        chargeId,
        deploymentId: input.deploymentId,
        status: 'pending_payment',
        amount: input.amount,
        shortfall,
        graceExpiresAt: iso(graceExpiresAtMs),
      };
    },
  });
}

export async function getCharge(ledger: Ledger, accountId: string, chargeId: string): Promise<Charge> {
  const item = await ledger.table.meter.run('getCharge', () => ledger.table.get(keys.charge(accountId, chargeId)));
  if (!item) throw new NotFound(`no charge ${chargeId}`);
  return chargeFromItem(item);
}

export function chargeFromItem(item: Record<string, unknown>): Charge {
  return {
    chargeId: item.chargeId as string,
    accountId: item.accountId as string,
    deploymentId: item.deploymentId as string,
    status: item.status as Charge['status'],
    amount: micros(item.amount as number),
    refunded: micros(item.refunded as number),
    description: item.description as string,
    createdAt: item.createdAt as string,
    ...(item.graceExpiresAt ? { graceExpiresAt: item.graceExpiresAt as string } : {}),
    allocations: item.allocations as Charge['allocations'],
    debtCreated: micros(item.debtCreated as number),
  };
}
