// A payment provider in memory, for the reconciliation tests: it keeps the payments it is told were
// taken and the refunds and disputes it is told of, and answers the list call of the port
// (core/reconcile/port.ts) a page of PAGE_SIZE at a time, counting its calls.

import type { ProviderName } from '../../core/items/purchase.js';
import type { Micros } from '../../core/money.js';
import type {
  PaymentsSource,
  Period,
  ProviderActivity,
  ProviderPayment,
  ProviderReversal,
} from '../../core/reconcile/port.js';

const PAGE_SIZE = 100;

export class MemoryPayments implements PaymentsSource {
  readonly payments: ProviderPayment[] = [];
  readonly reversals: ProviderReversal[] = [];
  calls = 0;
  private next = 0;

  constructor(
    readonly provider: ProviderName,
    private readonly clock: { nowMs(): number },
  ) {}

  /** A payment the provider took for a purchase, now. */
  pay(purchase: { purchaseId: string; accountId: string }, amount: Micros, paymentId?: string): ProviderPayment {
    const payment: ProviderPayment = {
      provider: this.provider,
      paymentId: paymentId ?? `pay_${++this.next}`,
      purchaseId: purchase.purchaseId,
      accountId: purchase.accountId,
      amount,
      createdAtMs: this.clock.nowMs(),
    };
    this.payments.push(payment);
    return payment;
  }

  /** A refund or dispute of a payment, now. */
  reverse(payment: ProviderPayment, kind: 'refund' | 'dispute', amount: Micros): ProviderReversal {
    const reversal: ProviderReversal = {
      provider: this.provider,
      kind,
      reversalId: `${kind === 'refund' ? 're' : 'dp'}_${++this.next}`,
      paymentId: payment.paymentId,
      ...(payment.purchaseId ? { purchaseId: payment.purchaseId } : {}),
      amount,
      createdAtMs: this.clock.nowMs(),
    };
    this.reversals.push(reversal);
    return reversal;
  }

  async activity(period: Period): Promise<ProviderActivity> {
    const within = <T extends { createdAtMs: number }>(list: T[]) =>
      list.filter((x) => x.createdAtMs >= period.fromMs && x.createdAtMs < period.toMs);
    const payments = within(this.payments);
    const reversals = within(this.reversals);
    const calls =
      Math.max(1, Math.ceil(payments.length / PAGE_SIZE)) + Math.max(1, Math.ceil(reversals.length / PAGE_SIZE));
    this.calls += calls;
    return { payments, reversals, calls };
  }
}
