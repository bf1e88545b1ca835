// What the local providers' stand-ins took and gave back: every charge, refund and dispute of the
// Stripe stand-in and every payment of the Spherepay stand-in, kept in memory and, under `npm start`,
// appended to `.data/stand-ins/stripe.jsonl` and `spherepay.jsonl` (one record a line), so a
// restarted server still lists what was paid before. Records are written once and never changed:
// a refund is its own record, the charge's refunded total is summed when it is listed. The list
// answers (provider-stand-ins.ts serves them) have the real APIs' shapes. Never deployed.

import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { Conflict, InvalidRequest, NotFound } from '../../core/errors.js';
import { ulidOf } from '../../core/ids.js';
import { centsOf, formatMicros, type Micros, microsFromCents } from '../../core/money.js';

/** A payment as the stand-ins take it: for a purchase (or not ours, without one), at an instant. */
export interface StandInPayment {
  purchaseId?: string;
  accountId?: string;
  amount: Micros;
  createdAtMs: number;
  /** Extra metadata (auto top-up marks its intents `autoTopUp: "true"`). */
  metadata?: Record<string, string>;
}

export interface StripeCharge {
  type: 'charge';
  id: string;
  paymentIntent: string;
  amountCents: number;
  feeCents: number;
  balanceTransaction: string;
  createdS: number;
  metadata: Record<string, string>;
}
export interface StripeReversal {
  type: 'refund' | 'dispute';
  id: string;
  chargeId: string;
  amountCents: number;
  createdS: number;
}
export type StripeRecord = StripeCharge | StripeReversal;

export interface SpherepayPayment {
  type: 'payment';
  id: string;
  /** A decimal of USDC, as Spherepay writes it. */
  amount: string;
  createdAtMs: number;
  paymentLink: string;
  metadata: Record<string, string>;
}

/** Stripe's standard US card fee, 2.9% + 30¢, in whole cents (rounded half up). */
export function stripeFeeCents(amountCents: number): number {
  return Math.floor((amountCents * 29 + 500) / 1000) + 30;
}

const newId = (prefix: string) => `${prefix}_local_${randomBytes(12).toString('hex')}`;

const stripeRecordShape = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('charge'),
    id: z.string().min(1),
    paymentIntent: z.string().min(1),
    amountCents: z.number().int().positive(),
    feeCents: z.number().int().nonnegative(),
    balanceTransaction: z.string().min(1),
    createdS: z.number().int().nonnegative(),
    metadata: z.record(z.string(), z.string()),
  }),
  z.object({
    type: z.enum(['refund', 'dispute']),
    id: z.string().min(1),
    chargeId: z.string().min(1),
    amountCents: z.number().int().positive(),
    createdS: z.number().int().nonnegative(),
  }),
]);
const spherepayPaymentShape = z.object({
  type: z.literal('payment'),
  id: z.string().min(1),
  amount: z.string().regex(/^\d{1,9}\.\d{2,6}$/),
  createdAtMs: z.number().int().nonnegative(),
  paymentLink: z.string().min(1),
  metadata: z.record(z.string(), z.string()),
});

/**
 * A file of JSON lines, read whole at start (each line checked against `shape`) and appended to;
 * absent `path`: memory only.
 */
class JsonLines<T> {
  constructor(
    private readonly path: string | undefined,
    private readonly shape: z.ZodType<T>,
  ) {}

  load(): T[] {
    if (!this.path || !existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const records: T[] = [];
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        if (i < lines.length - 1) throw new Error(`${this.path}:${i + 1} is not JSON`, { cause: error });
        // The last line torn (the server stopped while writing it): it never happened, and the
        // next append must not continue it.
        truncateSync(
          this.path,
          Buffer.byteLength(
            lines
              .slice(0, i)
              .map((l) => `${l}\n`)
              .join(''),
          ),
        );
        break;
      }
      const record = this.shape.safeParse(json);
      if (!record.success) throw new Error(`${this.path}:${i + 1} is not a stand-in record`, { cause: record.error });
      records.push(record.data);
    }
    // A whole last record torn only of its newline: end its line, so the next append starts its own.
    const text = readFileSync(this.path, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(this.path, '\n');
    return records;
  }

  append(records: T[]): void {
    if (!this.path || records.length === 0) return;
    appendFileSync(this.path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
}

/** The Stripe stand-in's charges, refunds and disputes. */
export class StripeStandInStore {
  private readonly file: JsonLines<StripeRecord>;
  readonly charges: StripeCharge[] = [];
  readonly reversals: StripeReversal[] = [];

  constructor(dir?: string) {
    this.file = new JsonLines<StripeRecord>(dir && join(dir, 'stripe.jsonl'), stripeRecordShape);
    for (const record of this.file.load()) this.keep(record);
  }

  private keep(record: StripeRecord): void {
    if (record.type === 'charge') this.charges.push(record);
    else this.reversals.push(record);
  }

  private add(records: StripeRecord[]): void {
    this.file.append(records);
    for (const record of records) this.keep(record);
  }

  chargeOfPurchase(purchaseId: string): StripeCharge | undefined {
    return this.charges.find((c) => c.metadata.purchaseId === purchaseId);
  }

  refundedCents(chargeId: string): number {
    return this.reversals
      .filter((r) => r.type === 'refund' && r.chargeId === chargeId)
      .reduce((t, r) => t + r.amountCents, 0);
  }

  /** Many charges in one write (tests and the bench); answers them. */
  seed(payments: StandInPayment[]): StripeCharge[] {
    const charges = payments.map((payment) => chargeOf(payment));
    this.add(charges);
    return charges;
  }

  /** The charge of a paid checkout: one per purchase, as a Checkout Session is paid once. */
  chargeCheckout(payment: StandInPayment & { purchaseId: string }): StripeCharge {
    return this.chargeOfPurchase(payment.purchaseId) ?? this.seed([payment])[0]!;
  }

  /** A refund of a purchase's charge, of `amount` or of all that is left; refused past what was paid. */
  refund(
    purchaseId: string,
    amount: Micros | undefined,
    nowMs: number,
  ): { refund: StripeReversal; charge: StripeCharge } {
    const charge = this.paidCharge(purchaseId);
    const left = charge.amountCents - this.refundedCents(charge.id);
    const cents = amount === undefined ? left : centsOf(amount);
    if (left <= 0) throw new Conflict(`the charge of ${purchaseId} is already refunded in full`);
    if (cents > left)
      throw new Conflict(`at most ${formatMicros(microsFromCents(left))} of ${purchaseId}'s charge is left to refund`);
    return { refund: this.reversal('refund', charge, cents, nowMs), charge };
  }

  /** A dispute of a purchase's charge (one per charge, as at Stripe), of `amount` or all of it. */
  dispute(
    purchaseId: string,
    amount: Micros | undefined,
    nowMs: number,
  ): { dispute: StripeReversal; charge: StripeCharge } {
    const charge = this.paidCharge(purchaseId);
    if (this.reversals.some((r) => r.type === 'dispute' && r.chargeId === charge.id))
      throw new Conflict(`the charge of ${purchaseId} is already disputed`);
    const cents = amount === undefined ? charge.amountCents : centsOf(amount);
    if (cents > charge.amountCents)
      throw new Conflict(`a dispute is at most the charge, ${formatMicros(microsFromCents(charge.amountCents))}`);
    return { dispute: this.reversal('dispute', charge, cents, nowMs), charge };
  }

  /** A refund or dispute of `cents` of a charge, kept. */
  private reversal(type: 'refund' | 'dispute', charge: StripeCharge, cents: number, nowMs: number): StripeReversal {
    const reversal: StripeReversal = {
      type,
      id: newId(type === 'refund' ? 're' : 'dp'),
      chargeId: charge.id,
      amountCents: cents,
      createdS: Math.floor(nowMs / 1000),
    };
    this.add([reversal]);
    return reversal;
  }

  private paidCharge(purchaseId: string): StripeCharge {
    const charge = this.chargeOfPurchase(purchaseId);
    if (!charge) throw new NotFound(`${purchaseId} was not paid at the Stripe stand-in`);
    return charge;
  }
}

function chargeOf(payment: StandInPayment): StripeCharge {
  const amountCents = centsOf(payment.amount);
  if (amountCents <= 0) throw new InvalidRequest('a charge is of more than nothing');
  const metadata = {
    ...payment.metadata,
    ...(payment.purchaseId ? { purchaseId: payment.purchaseId } : {}),
    ...(payment.accountId ? { accountId: payment.accountId } : {}),
  };
  return {
    type: 'charge',
    id: newId('ch'),
    paymentIntent: intentOf(payment.purchaseId),
    amountCents,
    feeCents: stripeFeeCents(amountCents),
    balanceTransaction: newId('txn'),
    createdS: Math.floor(payment.createdAtMs / 1000),
    metadata,
  };
}

/** The PaymentIntent the local checkout's events name (local-events.ts), so refunds find the purchase. */
function intentOf(purchaseId: string | undefined): string {
  if (purchaseId?.startsWith('pu_')) {
    try {
      return `pi_local_${ulidOf(purchaseId)}`;
    } catch {
      // Not one of our ids after all: an intent of its own.
    }
  }
  return newId('pi');
}

/** The Spherepay stand-in's payments. */
export class SpherepayStandInStore {
  private readonly file: JsonLines<SpherepayPayment>;
  readonly payments: SpherepayPayment[] = [];

  constructor(dir?: string) {
    this.file = new JsonLines<SpherepayPayment>(dir && join(dir, 'spherepay.jsonl'), spherepayPaymentShape);
    this.payments.push(...this.file.load());
  }

  seed(payments: (StandInPayment & { paymentLink?: string; id?: string })[]): SpherepayPayment[] {
    const records = payments.map(
      (payment): SpherepayPayment => ({
        type: 'payment',
        id: payment.id ?? newId('payment'),
        amount: formatMicros(payment.amount),
        createdAtMs: payment.createdAtMs,
        paymentLink: payment.paymentLink ?? newId('paymentLink'),
        metadata: {
          ...payment.metadata,
          ...(payment.purchaseId ? { purchaseId: payment.purchaseId } : {}),
          ...(payment.accountId ? { accountId: payment.accountId } : {}),
        },
      }),
    );
    this.file.append(records);
    this.payments.push(...records);
    return records;
  }

  /** The payment of a paid checkout: one per purchase, as a payment link of ours is paid once. */
  payCheckout(payment: StandInPayment & { purchaseId: string; paymentLink: string; id: string }): SpherepayPayment {
    return this.payments.find((p) => p.metadata.purchaseId === payment.purchaseId) ?? this.seed([payment])[0]!;
  }
}

/** Both stand-ins' stores, under one folder (absent: in memory, as with `npm start --memory` and in tests). */
export class StandInStores {
  readonly stripe: StripeStandInStore;
  readonly spherepay: SpherepayStandInStore;

  constructor(readonly dir?: string) {
    if (dir) mkdirSync(dir, { recursive: true });
    this.stripe = new StripeStandInStore(dir);
    this.spherepay = new SpherepayStandInStore(dir);
  }
}
