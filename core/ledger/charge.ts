// Charging a deployment for a product (SPEC §10). Paid at once when what the product may take
// − amount ≥ −allowance (the lots that may pay it first, in consumption order, the rest as debt);
// otherwise the charge waits in `pending_payment` until credit arrives or its grace deadline
// passes. Nothing is taken from a pending charge.

import { MAX_PENDING_CHARGES } from '../account.js';
import { Conflict, InvalidRequest, NotFound } from '../errors.js';
import { DEPLOYMENT_ID, PROJECT_ID } from '../ids.js';
import { type Charge, chargeFromItem, chargeItems, type NewCharge } from '../items/charge.js';
import type { ChargeRequest } from '../items/intent.js';
import { formatMicros, type Micros, max, micros, ZERO } from '../money.js';
import { DEFAULT_PRODUCT, type Product } from '../products.js';
import { keys } from '../table/keys.js';
import { iso } from '../time.js';
import { type Operation, run } from './commit.js';
import { type Draft, itemIsNew } from './draft.js';
import { fingerprint, type Ledger } from './ledger.js';
import { payCharge } from './pay.js';

export interface ChargeInput {
  accountId: string;
  deploymentId: string;
  /** Absent: `other`, so clients that do not know products keep working. */
  product?: Product;
  projectId?: string;
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

export type { ChargeRequest } from '../items/intent.js';

export async function charge(ledger: Ledger, input: ChargeInput): Promise<ChargeResult> {
  if (input.amount <= 0) throw new InvalidRequest('amount must be greater than zero');
  if (!DEPLOYMENT_ID.test(input.deploymentId))
    throw new InvalidRequest('deploymentId must be 1-128 letters, digits or _.:-');
  if (input.projectId !== undefined && !PROJECT_ID.test(input.projectId))
    throw new InvalidRequest('projectId must be 1-128 letters, digits or _.:-');
  const description = input.description ?? `Deployment ${input.deploymentId}`;
  return run(ledger, chargeOperation({ ...input, product: input.product ?? DEFAULT_PRODUCT, description }));
}

/**
 * The charge as an operation the engine may commit together with other charges on the account:
 * its plan reads nothing but the draft, so it can follow any other charge in one transaction, and
 * its request is all another process needs to apply it (an intent).
 */
function chargeOperation(request: ChargeRequest): Operation<ChargeResult> {
  const { deploymentId, product, projectId, amount, description } = request;
  return {
    name: 'charge',
    accountId: request.accountId,
    idempotency: { scope: 'charge', key: request.idempotencyKey, fingerprint: chargeFingerprint(request) },
    joinable: { request, fromIntent: chargeOperation },
    plan: (draft): ChargeResult => {
      const charge: NewCharge = {
        accountId: draft.accountId,
        chargeId: draft.id('ch'),
        deploymentId,
        product,
        ...(projectId ? { projectId } : {}),
        amount,
        description,
      };
      if (draft.canPay(charge)) {
        const { debtCreated } = payCharge(draft, { ...charge, wasPending: false }, (paid) => ({
          item: { Put: { Item: chargeItems.paid(charge, paid, draft.nowMs) } },
        }));
        const { chargeId } = charge;
        return { chargeId, deploymentId, status: 'paid', amount, usedAllowance: debtCreated, balance: draft.balance() };
      }
      return waitForCredit(draft, charge);
    },
  };
}

/** A charge the balance and the allowance do not cover waits for credit until its grace deadline. */
function waitForCredit(draft: Draft, charge: NewCharge): ChargeResult {
  const { chargeId, deploymentId, projectId, amount, product } = charge;
  if (draft.state.pending.length >= MAX_PENDING_CHARGES)
    throw new Conflict(`the account already has ${MAX_PENDING_CHARGES} charges waiting for payment`);
  const graceExpiresAtMs = draft.nowMs + draft.config.gracePeriodMs;
  const graceExpiresAt = iso(graceExpiresAtMs);
  const shortfall = max(ZERO, micros(amount - draft.available(product)));
  draft.addPending({ chargeId, amount, graceExpiresAtMs, product, deploymentId, ...(projectId ? { projectId } : {}) });
  draft.put(chargeItems.pending(charge, graceExpiresAtMs, draft.nowMs), itemIsNew);
  draft.scheduleDeadline({ accountId: draft.accountId, chargeId, dueAtMs: graceExpiresAtMs });
  draft.event('charge.pending_payment', {
    chargeId,
    deploymentId,
    amount: formatMicros(amount),
    shortfall: formatMicros(shortfall),
    graceExpiresAt,
  });
  draft.notify(
    'top_up_needed',
    `Charge ${chargeId} for ${formatMicros(amount)} credits is waiting: top up ` +
      `${formatMicros(shortfall)} credits before ${graceExpiresAt}.`,
  );
  return { chargeId, deploymentId, status: 'pending_payment', amount, shortfall, graceExpiresAt };
}

export async function getCharge(ledger: Ledger, accountId: string, chargeId: string): Promise<Charge> {
  const item = await ledger.table.meter.run('getCharge', () => ledger.table.get(keys.charge(accountId, chargeId)));
  if (!item) throw new NotFound(`no charge ${chargeId}`);
  return chargeFromItem(item);
}

/**
 * What makes two charge requests the same (an Idempotency-Key's replay): a charge of no product
 * and no project digests as it did before products existed, so a retry across the change replays.
 */
function chargeFingerprint(request: ChargeRequest): string {
  const { deploymentId, product, projectId, amount, description } = request;
  const before = [deploymentId, amount, description];
  return fingerprint(product === DEFAULT_PRODUCT && !projectId ? before : [...before, product, projectId ?? null]);
}
