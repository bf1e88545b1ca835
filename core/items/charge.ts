// A charge: a deployment paid, or waiting to be paid, with credits. Its whole lifecycle is here,
// each step an item write conditioned on the status it starts from:
//
//   created ──payable now──────────────────────► paid ──refund (parts add up)──► paid, refunded > 0
//      │                                          ▲    └─credit repays its debt─► paid, allocations += repayment
//      └──► pending_payment ──credit arrives──────┘    (settled oldest first, or at its deadline)
//                │ └──deadline, still not payable──► failed
//                └──cancel──────────────────────────► cancelled
//
//   pending_payment: under DEADLINE in gsi3, keyed by the grace deadline (for the sweep)
//   paid / failed / cancelled: under OUTBOX in gsi3 until the outcome is published, then out of it

import * as z from 'zod';
import type { Allocation } from '../account.js';
import { Conflict } from '../errors.js';
import type { Micros } from '../money.js';
import { DEFAULT_PRODUCT, PRODUCTS, type Product } from '../products.js';
import { chargeQueueIndex, keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { iso } from '../time.js';
import { allocationField, type ItemWrite, isoField, microsField, readItem } from './fields.js';

export const CHARGE_STATUSES = ['paid', 'pending_payment', 'failed', 'cancelled'] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];
export type FinalChargeStatus = Exclude<ChargeStatus, 'pending_payment'>;

export interface Charge {
  chargeId: string;
  accountId: string;
  deploymentId: string;
  /** What it paid for (SPEC §10); `other` for charges that named no product. */
  product: Product;
  projectId?: string;
  status: ChargeStatus;
  amount: Micros;
  refunded: Micros;
  description: string;
  createdAt: string;
  graceExpiresAt?: string;
  /** Every take from a lot that paid this charge, in the order taken (debt repayments included). */
  allocations: Allocation[];
  debtCreated: Micros;
  /** When it reached its final status. */
  endedAt?: string;
  paidAt?: string;
}

const shape = z.object({
  chargeId: z.string(),
  accountId: z.string(),
  deploymentId: z.string(),
  product: z.enum(PRODUCTS).optional(),
  projectId: z.string().optional(),
  status: z.enum(CHARGE_STATUSES),
  amount: microsField,
  refunded: microsField,
  description: z.string(),
  createdAt: isoField,
  graceExpiresAt: isoField.optional(),
  allocations: z.array(allocationField),
  debtCreated: microsField,
  paidAt: isoField.optional(),
  endedAt: isoField.optional(),
});

export function chargeFromItem(item: Item): Charge {
  const { graceExpiresAt, paidAt, endedAt, product, projectId, ...charge } = readItem('charge', shape, item);
  return {
    ...charge,
    product: product ?? DEFAULT_PRODUCT,
    ...(projectId ? { projectId } : {}),
    ...(graceExpiresAt ? { graceExpiresAt } : {}),
    ...(paidAt ? { paidAt } : {}),
    ...(endedAt ? { endedAt } : {}),
  };
}

/** The charge item's index keys while its outcome waits to be published. */
function outbox(chargeId: string, nowMs: number): { gsi3pk: string; gsi3sk: string } {
  return { gsi3pk: chargeQueueIndex.outboxPk(chargeId), gsi3sk: chargeQueueIndex.sk(nowMs, chargeId) };
}

const STATUS = { '#status': 'status' };

export interface NewCharge {
  accountId: string;
  chargeId: string;
  deploymentId: string;
  product: Product;
  projectId?: string;
  amount: Micros;
  description: string;
}

export const chargeItems = {
  /** A charge paid at once: into the outbox. */
  paid(charge: NewCharge, paid: { allocations: Allocation[]; debtCreated: Micros }, nowMs: number): Item {
    return {
      ...base(charge, nowMs),
      status: 'paid',
      allocations: paid.allocations,
      debtCreated: paid.debtCreated,
      paidAt: iso(nowMs),
      ...outbox(charge.chargeId, nowMs),
    };
  },

  /** A charge waiting for credit until `graceExpiresAtMs`: under its deadline. */
  pending(charge: NewCharge, graceExpiresAtMs: number, nowMs: number): Item {
    return {
      ...base(charge, nowMs),
      status: 'pending_payment',
      allocations: [],
      debtCreated: 0,
      graceExpiresAt: iso(graceExpiresAtMs),
      gsi3pk: chargeQueueIndex.deadlinePk(charge.chargeId),
      gsi3sk: chargeQueueIndex.sk(graceExpiresAtMs, charge.chargeId),
    };
  },

  /** A pending charge paid (credit arrived, or its deadline came with enough): into the outbox. */
  settled(
    accountId: string,
    chargeId: string,
    paid: { allocations: Allocation[]; debtCreated: Micros },
    nowMs: number,
  ): ItemWrite {
    const { gsi3pk, gsi3sk } = outbox(chargeId, nowMs);
    return {
      item: {
        Update: {
          Key: keys.charge(accountId, chargeId),
          UpdateExpression:
            'SET #status = :paid, allocations = :allocations, debtCreated = :debt, paidAt = :now, gsi3pk = ' +
            ':outboxPk, gsi3sk = :outboxSk REMOVE graceExpiresAt',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: {
            ':paid': 'paid',
            ':pending': 'pending_payment',
            ':allocations': paid.allocations,
            ':debt': paid.debtCreated,
            ':now': iso(nowMs),
            ':outboxPk': gsi3pk,
            ':outboxSk': gsi3sk,
          },
        },
      },
      onConditionFailed: () => new Conflict(`charge ${chargeId} is no longer pending`),
    };
  },

  /** A pending charge that fails at its deadline or is cancelled: into the outbox. */
  ended(accountId: string, chargeId: string, status: 'failed' | 'cancelled', nowMs: number): ItemWrite {
    const { gsi3pk, gsi3sk } = outbox(chargeId, nowMs);
    return {
      item: {
        Update: {
          Key: keys.charge(accountId, chargeId),
          UpdateExpression: 'SET #status = :final, endedAt = :now, gsi3pk = :outboxPk, gsi3sk = :outboxSk',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: {
            ':final': status,
            ':pending': 'pending_payment',
            ':now': iso(nowMs),
            ':outboxPk': gsi3pk,
            ':outboxSk': gsi3sk,
          },
        },
      },
      onConditionFailed: () => new Conflict(`charge ${chargeId} is no longer pending`),
    };
  },

  /** A refund of a paid charge: what is refunded so far, and the allocations with what was restored. */
  refunded(charge: Charge, refundedAfter: Micros, allocations: Allocation[]): ItemWrite {
    return {
      item: {
        Update: {
          Key: keys.charge(charge.accountId, charge.chargeId),
          UpdateExpression: 'SET refunded = :refunded, allocations = :allocations',
          ConditionExpression: 'refunded = :before',
          ExpressionAttributeValues: {
            ':refunded': refundedAfter,
            ':allocations': allocations,
            ':before': charge.refunded,
          },
        },
      },
      onConditionFailed: () => new Conflict(`charge ${charge.chargeId} was refunded concurrently`),
    };
  },

  /** Credit that repaid the debt this charge created: recorded, so a refund gives it back. */
  repaid(accountId: string, chargeId: string, allocations: Allocation[]): ItemWrite {
    return {
      item: {
        Update: {
          Key: keys.charge(accountId, chargeId),
          UpdateExpression: 'SET allocations = list_append(allocations, :repaid)',
          ExpressionAttributeValues: { ':repaid': allocations },
        },
      },
    };
  },

  /** Out of the outbox once its outcome is on the queue; a charge already out (a second sender) stays out. */
  published(accountId: string, chargeId: string, status: FinalChargeStatus) {
    return {
      Key: keys.charge(accountId, chargeId),
      UpdateExpression: 'REMOVE gsi3pk, gsi3sk',
      ConditionExpression: 'begins_with(gsi3pk, :outbox) AND #status = :status',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: { ':outbox': 'OUTBOX#', ':status': status },
    };
  },
};

function base(charge: NewCharge, nowMs: number): Item {
  return {
    ...keys.charge(charge.accountId, charge.chargeId),
    itemType: 'charge',
    chargeId: charge.chargeId,
    accountId: charge.accountId,
    deploymentId: charge.deploymentId,
    product: charge.product,
    ...(charge.projectId ? { projectId: charge.projectId } : {}),
    amount: charge.amount,
    refunded: 0,
    description: charge.description,
    createdAt: iso(nowMs),
  };
}
