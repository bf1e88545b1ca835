// A small in-memory reference model of one account, written for clarity rather than speed and
// independently of core/: plain arrays, linear scans, no DynamoDB. The property test runs the
// same operations on it and on the real ledger and compares what each says after every step.

const DAY = 86_400_000;

/** Twelve calendar months later, the last day of a shorter month: written apart from core/time.ts. */
function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const target = new Date(
    Date.UTC(
      d.getUTCFullYear(),
      d.getUTCMonth() + months,
      1,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}
const MAX_PENDING = 20;
const MAX_DEBTS = 20;

export type Kind = 'purchased' | 'promotional';

/** SPEC §10's catalog, written out again here rather than imported from core/. */
export const M_PRODUCTS = ['ray_cluster', 'vm', 'kubernetes', 'baremetal', 'inference', 'other'] as const;
export type MProduct = (typeof M_PRODUCTS)[number];

/** What a payment is for: a product's charge, or `null` for what no product owns (a provider reversal's debt). */
type PayingFor = MProduct | null;

export interface MLot {
  seq: number;
  id?: string; // the real lot id, learned when the lot is created
  kind: Kind;
  /** Promotional credit for these products only; absent, it pays any product. */
  products?: MProduct[];
  amount: number;
  remaining: number;
  expiresAt: number | null;
  expired: number; // what the expiry run removed from it
  reversed: number;
  reversedFromExpired: number;
}

interface MTake {
  lot: MLot;
  taken: number;
  restored: number;
}

export interface MCharge {
  id?: string;
  product: MProduct;
  amount: number;
  status: 'paid' | 'pending_payment' | 'failed' | 'cancelled';
  refunded: number;
  takes: MTake[];
  deadline: number;
}

export interface MWithdrawal {
  id?: string;
  amount: number;
  status: 'pending_review' | 'approved' | 'completed' | 'rejected' | 'cancelled';
  takes: MTake[];
}

/** A refund report carries the provider's running total; a dispute its own amount. */
export type MReport = { kind: 'refund'; total: number } | { kind: 'dispute'; amount: number };

/** A purchase and the provider events about it, which may arrive in any order and more than once. */
export interface MPurchase {
  id?: string;
  index: number;
  amount: number;
  lot?: MLot;
  /** Reports that arrived before the payment was credited, in arrival order. */
  held: { eventId: string; report: MReport }[];
  /** Event ids that took effect (applied or held). */
  seen: Set<string>;
  providerRefunded: number;
  reversedAmount: number;
  /** Reports the provider has sent or will send, for delivery in any order. */
  events: { eventId: string; report: MReport }[];
  refundTotal: number;
}

export type Outcome = 'ok' | 'paid' | 'pending_payment' | 'failed' | 'conflict' | 'forbidden' | 'insufficient' | 'noop';

export class Model {
  now: number;
  lots: MLot[] = [];
  /** A charge's debt is for its product; a reversal's for no product (`null`: only unscoped credit repays it). */
  debts: { ref: MCharge | string; amount: number; payingFor: PayingFor }[] = [];
  pending: MCharge[] = [];
  charges: MCharge[] = [];
  withdrawals: MWithdrawal[] = [];
  purchases: MPurchase[] = [];
  allowance: number;
  hasPurchased = false;
  pendingWithdrawals = 0;
  /** SPEC §8: the low-balance threshold (10.00 until set; null: off) and the alerts written so far. */
  lowBalanceThreshold: number | null = 10_000_000;
  alerts = { low_balance: 0, allowance_in_use: 0 };
  /** Below the line and told so; a new account starts below the default threshold. */
  private lowAlerted = true;
  private negativeAlerted = false;
  private seq = 0;

  /** Lots with credit left at which a promotional grant is refused; purchases never are. */
  constructor(
    now: number,
    allowance: number,
    readonly graceMs: number,
    readonly maxLotsForGrants = Infinity,
  ) {
    this.now = now;
    this.allowance = allowance;
  }

  private usable(lot: MLot): boolean {
    return lot.remaining > 0 && (lot.expiresAt === null || lot.expiresAt > this.now);
  }

  /** A scoped lot pays only its products. */
  private mayPay(lot: MLot, payingFor: PayingFor | 'anything'): boolean {
    if (payingFor === 'anything' || !lot.products) return true;
    return payingFor !== null && lot.products.includes(payingFor);
  }

  /** Usable credit; of one kind; that may pay for `payingFor` (by default all of it). */
  credit(kind?: Kind, payingFor: PayingFor | 'anything' = 'anything'): number {
    let total = 0;
    for (const lot of this.lots)
      if (this.usable(lot) && (!kind || lot.kind === kind) && this.mayPay(lot, payingFor)) total += lot.remaining;
    return total;
  }

  /** What a charge for `product` may take: the credit that may pay it, less all the debt. */
  available(product: MProduct): number {
    return this.credit(undefined, product) - this.debt();
  }

  /** Usable scoped credit by scope, as `products joined by ,` → remaining. */
  scoped(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const lot of this.lots) {
      if (!lot.products || !this.usable(lot)) continue;
      const key = lot.products.join(',');
      out[key] = (out[key] ?? 0) + lot.remaining;
    }
    return out;
  }

  debt(): number {
    let total = 0;
    for (const d of this.debts) total += d.amount;
    return total;
  }

  balance(): number {
    return this.credit() - this.debt();
  }

  /**
   * After a change is written: an alert for each line the balance is below and was not below
   * when last looked at (at or above it, the alert re-arms).
   */
  observeAlerts(): void {
    const balance = this.balance();
    if (this.lowBalanceThreshold === null || balance >= this.lowBalanceThreshold) this.lowAlerted = false;
    else if (!this.lowAlerted) {
      this.lowAlerted = true;
      this.alerts.low_balance += 1;
    }
    if (balance >= 0) this.negativeAlerted = false;
    else if (!this.negativeAlerted) {
      this.negativeAlerted = true;
      this.alerts.allowance_in_use += 1;
    }
  }

  /** A new threshold alerts nobody: below it already counts as told. */
  setLowBalanceThreshold(threshold: number | null): void {
    this.lowBalanceThreshold = threshold;
    this.lowAlerted = threshold !== null && this.balance() < threshold;
  }

  withdrawable(): number {
    return Math.max(0, this.credit('purchased') - this.debt());
  }

  /** SPEC §10's order: scoped lots first, fewest products first; then expiry, promotional first, oldest. */
  private take(amount: number, payingFor: PayingFor, kind?: Kind): MTake[] {
    const order = this.lots
      .filter((l) => this.usable(l) && (!kind || l.kind === kind) && this.mayPay(l, payingFor))
      .sort((a, b) => {
        const sa = a.products?.length ?? Infinity;
        const sb = b.products?.length ?? Infinity;
        if (sa !== sb) return sa - sb;
        const ea = a.expiresAt ?? Infinity;
        const eb = b.expiresAt ?? Infinity;
        if (ea !== eb) return ea - eb;
        if (a.kind !== b.kind) return a.kind === 'promotional' ? -1 : 1;
        return a.seq - b.seq;
      });
    const takes: MTake[] = [];
    let left = amount;
    for (const lot of order) {
      if (left === 0) break;
      const taken = Math.min(lot.remaining, left);
      lot.remaining -= taken;
      left -= taken;
      takes.push({ lot, taken, restored: 0 });
    }
    return takes;
  }

  private giveBack(takes: MTake[], amount: number): void {
    let left = amount;
    for (let i = takes.length - 1; i >= 0 && left > 0; i -= 1) {
      const t = takes[i]!;
      const part = Math.min(left, t.taken - t.restored);
      t.restored += part;
      left -= part;
      if (part === 0) continue;
      if (t.lot.expiresAt !== null && t.lot.expiresAt <= this.now) {
        this.lots.push(this.newLot(t.lot.kind, part, this.now + 30 * DAY, t.lot.products));
      } else {
        t.lot.remaining += part;
      }
    }
    if (left !== 0) throw new Error('model: could not give back');
  }

  private newLot(kind: Kind, amount: number, expiresAt: number | null, products?: MProduct[]): MLot {
    return {
      seq: ++this.seq,
      kind,
      ...(products ? { products: M_PRODUCTS.filter((p) => products.includes(p)) } : {}),
      amount,
      remaining: amount,
      expiresAt,
      expired: 0,
      reversed: 0,
      reversedFromExpired: 0,
    };
  }

  canPay(amount: number, product: MProduct): boolean {
    if (this.available(product) - amount < -this.allowance) return false;
    return amount <= this.credit(undefined, product) || this.debts.length < MAX_DEBTS;
  }

  private pay(charge: MCharge): void {
    charge.takes = this.take(charge.amount, charge.product);
    const taken = charge.takes.reduce((t, x) => t + x.taken, 0);
    if (charge.amount > taken)
      this.debts.push({ ref: charge, amount: charge.amount - taken, payingFor: charge.product });
    charge.status = 'paid';
  }

  /** Each debt, oldest first, takes what credit may repay it; then waiting charges settle. */
  private creditArrived(): void {
    for (const d of this.debts) {
      const available = this.credit(undefined, d.payingFor);
      if (available === 0) continue;
      const takes = this.take(Math.min(available, d.amount), d.payingFor);
      const taken = takes.reduce((t, x) => t + x.taken, 0);
      d.amount -= taken;
      if (typeof d.ref !== 'string') d.ref.takes.push(...takes);
    }
    this.debts = this.debts.filter((d) => d.amount > 0);
    this.settle();
  }

  private settle(): void {
    for (const c of [...this.pending]) {
      if (c.deadline <= this.now) continue;
      if (!this.canPay(c.amount, c.product)) break;
      this.pending = this.pending.filter((p) => p !== c);
      this.pay(c);
    }
  }

  /** Lots holding credit, expired ones the nightly run has not removed included. */
  liveLots(): number {
    return this.lots.filter((lot) => lot.remaining > 0).length;
  }

  grant(kind: Kind, amount: number, expiresAt: number | null, products?: MProduct[]): MLot | 'conflict' {
    if (kind === 'promotional' && this.liveLots() >= this.maxLotsForGrants) return 'conflict';
    const lot = this.newLot(kind, amount, expiresAt, products);
    this.lots.push(lot);
    if (kind === 'purchased') this.hasPurchased = true;
    this.creditArrived();
    return lot;
  }

  charge(amount: number, product: MProduct = 'other'): { outcome: Outcome; charge?: MCharge } {
    const charge: MCharge = {
      product,
      amount,
      status: 'pending_payment',
      refunded: 0,
      takes: [],
      deadline: this.now + this.graceMs,
    };
    if (this.canPay(amount, product)) {
      this.pay(charge);
    } else {
      if (this.pending.length >= MAX_PENDING) return { outcome: 'conflict' };
      this.pending.push(charge);
    }
    this.charges.push(charge);
    return { outcome: charge.status === 'paid' ? 'paid' : 'pending_payment', charge };
  }

  refund(charge: MCharge, amount: number): Outcome {
    if (charge.status !== 'paid' || amount > charge.amount - charge.refunded) return 'conflict';
    let rest = amount;
    const debt = this.debts.find((d) => d.ref === charge);
    if (debt) {
      const paid = Math.min(debt.amount, rest);
      debt.amount -= paid;
      rest -= paid;
      this.debts = this.debts.filter((d) => d.amount > 0);
    }
    this.giveBack(charge.takes, rest);
    charge.refunded += amount;
    this.creditArrived();
    return 'ok';
  }

  cancel(charge: MCharge): Outcome {
    if (charge.status !== 'pending_payment') return 'conflict';
    this.pending = this.pending.filter((p) => p !== charge);
    charge.status = 'cancelled';
    this.settle();
    return 'ok';
  }

  deadline(charge: MCharge): Outcome {
    if (charge.status !== 'pending_payment' || charge.deadline > this.now) return 'noop';
    this.pending = this.pending.filter((p) => p !== charge);
    const payable = this.canPay(charge.amount, charge.product);
    if (payable) this.pay(charge);
    else charge.status = 'failed';
    this.settle();
    return payable ? 'paid' : 'failed';
  }

  expire(): number {
    let count = 0;
    for (const lot of this.lots) {
      if (lot.expiresAt !== null && lot.expiresAt <= this.now && lot.remaining > 0) {
        lot.expired += lot.remaining;
        lot.remaining = 0;
        count += 1;
      }
    }
    return count;
  }

  setAllowance(amount: number): Outcome {
    const owedOnCharges = this.debts.filter((d) => typeof d.ref !== 'string').reduce((t, d) => t + d.amount, 0);
    if (amount < owedOnCharges) return 'conflict';
    this.allowance = amount;
    this.settle();
    return 'ok';
  }

  withdraw(amount: number): { outcome: Outcome; withdrawal?: MWithdrawal } {
    if (!this.hasPurchased) return { outcome: 'forbidden' };
    if (amount > this.withdrawable()) return { outcome: 'insufficient' };
    const withdrawal: MWithdrawal = { amount, status: 'pending_review', takes: this.take(amount, null, 'purchased') };
    this.pendingWithdrawals += amount;
    this.withdrawals.push(withdrawal);
    return { outcome: 'ok', withdrawal };
  }

  endWithdrawal(withdrawal: MWithdrawal, to: 'cancelled' | 'rejected' | 'approved' | 'completed'): Outcome {
    const allowed: Record<typeof to, MWithdrawal['status'][]> = {
      cancelled: ['pending_review'],
      rejected: ['pending_review', 'approved'],
      approved: ['pending_review'],
      completed: ['approved'],
    };
    if (!allowed[to].includes(withdrawal.status)) return 'conflict';
    // No payout while the account owes what a provider took back.
    const owedOnReversals = this.debts.filter((d) => typeof d.ref === 'string').reduce((t, d) => t + d.amount, 0);
    if ((to === 'approved' || to === 'completed') && owedOnReversals > 0) return 'conflict';
    withdrawal.status = to;
    if (to === 'cancelled' || to === 'rejected') {
      this.giveBack(withdrawal.takes, withdrawal.amount);
      this.creditArrived();
    }
    if (to !== 'approved') this.pendingWithdrawals -= withdrawal.amount;
    return 'ok';
  }

  checkout(amount: number): MPurchase {
    const purchase: MPurchase = {
      index: this.purchases.length,
      amount,
      held: [],
      seen: new Set(),
      providerRefunded: 0,
      reversedAmount: 0,
      events: [],
      refundTotal: 0,
    };
    this.purchases.push(purchase);
    return purchase;
  }

  /** The provider reports the purchase paid: credited once, then every report held for it applies, in arrival order. */
  paymentArrived(purchase: MPurchase): 'credited' | 'none' {
    if (purchase.lot) return 'none';
    purchase.lot = this.grant('purchased', purchase.amount, addMonths(this.now, 12)) as MLot;
    for (const { report } of purchase.held) this.applyReport(purchase, report);
    return 'credited';
  }

  /** A refund or dispute event arrives: held while the payment is not credited, applied once otherwise. */
  report(purchase: MPurchase, eventId: string, report: MReport): 'held' | 'applied' | 'repeat' {
    if (purchase.seen.has(eventId)) return 'repeat';
    purchase.seen.add(eventId);
    if (!purchase.lot) {
      purchase.held.push({ eventId, report });
      return 'held';
    }
    this.applyReport(purchase, report);
    return 'applied';
  }

  private applyReport(purchase: MPurchase, report: MReport): void {
    const lot = purchase.lot!;
    const asked = report.kind === 'refund' ? report.total - purchase.providerRefunded : report.amount;
    if (asked <= 0) return;
    if (report.kind === 'refund') purchase.providerRefunded = report.total;
    const reversing = Math.min(asked, lot.amount - lot.reversed);
    if (reversing <= 0) return;
    this.reverse(lot, asked);
    purchase.reversedAmount += reversing;
  }

  reverse(lot: MLot, amount: number): { outcome: Outcome; debt: number } {
    const left = lot.amount - lot.reversed;
    const reversing = Math.min(amount, left);
    if (lot.kind !== 'purchased' || reversing <= 0) return { outcome: 'conflict', debt: 0 };
    const unspent = Math.min(reversing, lot.remaining);
    lot.remaining -= unspent;
    const fromExpired = Math.min(reversing - unspent, lot.expired - lot.reversedFromExpired);
    const debt = reversing - unspent - fromExpired;
    lot.reversed += reversing;
    lot.reversedFromExpired += fromExpired;
    if (debt > 0) this.debts.push({ ref: `reversal-${this.seq++}`, amount: debt, payingFor: null });
    this.creditArrived();
    return { outcome: 'ok', debt };
  }
}
