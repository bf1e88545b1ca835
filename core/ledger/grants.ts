// Granting credit: a purchased lot when a provider reports a payment, a promotional lot when an
// admin grants one. New credit pays debt first, then settles pending charges (pending.creditArrived).

import { heldCredit, lotCount } from '../account.js';
import { assert } from '../assert.js';
import { Conflict, InvalidRequest } from '../errors.js';
import type { Actor, StaffMark } from '../items/audit.js';
import type { Lot } from '../items/lot.js';
import { type LotSource, lotItems, type NewLot } from '../items/lot.js';
import { formatMicros, MICROS_PER_CENT, type Micros, micros } from '../money.js';
import { normalScope, type Product } from '../products.js';
import { addCalendarMonths, iso } from '../time.js';
import { type AuditInput, markOf, recordAudit, refuseOwnAccount } from './audit.js';
import { run } from './commit.js';
import { type Draft, itemIsNew } from './draft.js';
import { fingerprint, type Ledger } from './ledger.js';
import { creditArrived } from './pending.js';

/** Purchased credit expires this many calendar months after the purchase completes. */
export const PURCHASE_VALIDITY_MONTHS = 12;
/** The most live credit one account may hold; keeps every sum far inside safe integers. */
export const MAX_ACCOUNT_CREDIT_MICROS = micros(5_000_000_000 * 1_000_000);

export interface GrantResult extends Lot {
  source: LotSource;
  description: string;
  conditions?: string;
  grantedBy?: StaffMark;
  balance: Micros;
}

/** A payment the provider reported, credited as a purchased lot (ledger/purchases.applyPaymentEvent). */
export interface PurchaseGrant {
  amount: Micros;
  source: 'stripe' | 'spherepay';
  /** The purchase id; each purchase is credited once, whatever the provider redelivers. */
  purchaseId: string;
  description?: string;
}

/**
 * Within an operation: the purchased lot a completed payment creates, expiring twelve calendar
 * months later. The new credit repays debt, then settles pending charges.
 */
export function addPurchasedLot(draft: Draft, input: PurchaseGrant): GrantResult {
  // What the provider reports as paid is credited exactly: USDC carries six decimals.
  assert(
    Number.isSafeInteger(input.amount) && input.amount > 0,
    `a purchase credits a positive amount, got ${input.amount}`,
  );
  draft.markPurchased();
  return addLot(draft, {
    kind: 'purchased',
    amount: input.amount,
    expiresAtMs: addCalendarMonths(draft.nowMs, PURCHASE_VALIDITY_MONTHS),
    source: input.source,
    reference: input.purchaseId,
    description: input.description ?? `Purchase of ${formatMicros(input.amount)} credits`,
  });
}

export interface PromotionalGrant {
  accountId: string;
  amount: Micros;
  expiresAtMs: number | null;
  description: string;
  conditions?: string;
  /** Credit for these products only (SPEC §10): a non-empty part of the catalog. */
  products?: readonly Product[];
  idempotencyKey?: string;
  /** The member of staff granting it: recorded on the lot and in the audit log. */
  actor?: Actor;
}

export async function grantPromotional(ledger: Ledger, input: PromotionalGrant): Promise<GrantResult> {
  assertWholeCents(input.amount);
  if (input.description.trim() === '') throw new InvalidRequest('description is required');
  if (input.products !== undefined && input.products.length === 0)
    throw new InvalidRequest('products, when given, names at least one product');
  const products = input.products ? normalScope(input.products) : undefined;
  refuseOwnAccount(input.actor, input.accountId, 'a grant');
  return run(ledger, {
    name: 'grantPromotional',
    accountId: input.accountId,
    idempotency: input.idempotencyKey
      ? {
          scope: 'grant',
          key: input.idempotencyKey,
          fingerprint: fingerprint([
            input.amount,
            input.expiresAtMs,
            input.description,
            input.conditions ?? null,
            ...(products ? [products] : []),
          ]),
        }
      : undefined,
    ...(input.actor ? { actor: input.actor } : {}),
    plan: (draft) => {
      if (input.expiresAtMs !== null && input.expiresAtMs <= draft.nowMs)
        throw new InvalidRequest('expiresAt must be in the future');
      const grant = addLot(draft, {
        kind: 'promotional',
        amount: input.amount,
        expiresAtMs: input.expiresAtMs,
        source: 'admin',
        reference: '',
        description: input.description,
        conditions: input.conditions,
        products,
        grantedBy: input.actor ? markOf(draft, input.actor) : undefined,
      });
      if (input.actor) recordAudit(draft, input.actor, auditOfGrant(grant));
      return grant;
    },
  });
}

function addLot(draft: Draft, lot: NewLot): GrantResult {
  const { state } = draft;
  // Only a grant can be refused for the number of lots: what the account paid for is always credited.
  if (lot.kind === 'promotional' && lotCount(state) >= draft.config.maxLotsForGrants)
    throw new Conflict(`the account already holds ${draft.config.maxLotsForGrants} lots with credit left`);
  if (heldCredit(state) + lot.amount > MAX_ACCOUNT_CREDIT_MICROS)
    throw new Conflict('the account would hold more than 5,000,000,000 credits');
  const lotId = draft.id('lot');
  const scope = lot.products ? { products: lot.products } : {};
  draft.addLot({
    lotId,
    kind: lot.kind,
    amount: lot.amount,
    remaining: lot.amount,
    expiresAtMs: lot.expiresAtMs,
    ...scope,
  });
  putLotItem(draft, lotId, lot);
  const entryReference = lot.reference || lotId;
  draft.entry({
    type: lot.kind === 'purchased' ? 'purchase' : 'promotional_grant',
    amount: lot.amount,
    reference: entryReference,
    description: lot.description,
    lots: [{ lotId, amount: lot.amount }],
  });
  creditArrived(draft);
  const live = draft.state.lots.find((l) => l.lotId === lotId);
  if (lot.kind === 'purchased')
    draft.event('purchase.completed', {
      purchaseId: lot.reference || null,
      lotId,
      amount: formatMicros(lot.amount),
      expiresAt: lot.expiresAtMs === null ? null : iso(lot.expiresAtMs),
    });
  draft.notify(
    lot.kind === 'purchased' ? 'purchase_completed' : 'promotional_grant',
    lot.kind === 'purchased'
      ? `Your purchase of ${formatMicros(lot.amount)} credits is complete.`
      : `You received ${formatMicros(lot.amount)} promotional credits: ${lot.description}.`,
  );
  return {
    lotId,
    kind: lot.kind,
    amount: lot.amount,
    remaining: live?.remaining ?? micros(0),
    createdAt: draft.now,
    expiresAt: lot.expiresAtMs === null ? null : iso(lot.expiresAtMs),
    withdrawable: lot.kind === 'purchased',
    source: lot.source,
    description: lot.description,
    ...(lot.conditions ? { conditions: lot.conditions } : {}),
    ...scope,
    ...(lot.grantedBy ? { grantedBy: lot.grantedBy } : {}),
    balance: draft.balance(),
  };
}

function auditOfGrant(grant: GrantResult): AuditInput {
  return {
    action: 'grant.create',
    subject: grant.lotId,
    after: {
      amount: formatMicros(grant.amount),
      expiresAt: grant.expiresAt,
      description: grant.description,
      ...(grant.products ? { products: [...grant.products] } : {}),
    },
  };
}

/** The lot's permanent record (items/lot.ts), new. Its live remaining is on the account item. */
export function putLotItem(draft: Draft, lotId: string, lot: NewLot): void {
  draft.put(lotItems.granted(draft.accountId, lotId, lot, draft.nowMs), itemIsNew);
}

function assertWholeCents(amount: Micros): void {
  assert(amount > 0 && amount % MICROS_PER_CENT === 0, `grants are positive whole cents, got ${amount}`);
}
