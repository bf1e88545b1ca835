// The roll-forward over all accounts' balances for a closed day (SPEC §12):
//
//   opening + inflows − usage − expiries − withdrawals + adjustments = closing
//
// opening: Σ balances at the day's start (the previous digest's leaves); closing: Σ balances at the
// cut-off (the day's leaves), which is the digest's creditMicros − debtMicros (debt: Σ max(0, −balance));
// the flows: the day's entries of the accounts that changed, summed by type. Usage, expiries and
// withdrawals are positive figures; adjustments (usage refunds, withdrawals given back, provider
// reversals, other adjustments) are signed. Exact, in BigInt micros: when it does not hold, an
// entry's balance disagrees with the amounts before it, and the report says so (a leak).

import type { EntryType } from '../entry-types.js';
import type { Leaf } from '../proof/hashes.js';

export type Flow = 'inflows' | 'usage' | 'expiries' | 'withdrawals' | 'adjustments';

/** Where each entry type goes: a new type does not compile until it is placed here. */
const FLOW_OF: Record<EntryType, Flow> = {
  purchase: 'inflows',
  promotional_grant: 'inflows',
  usage: 'usage',
  refund: 'adjustments',
  expiry: 'expiries',
  withdrawal: 'withdrawals',
  withdrawal_reversal: 'adjustments',
  reversal: 'adjustments',
  adjustment: 'adjustments',
};

/** Flows stored as debits (negative amounts), reported as positive figures. */
const OUTFLOWS: ReadonlySet<Flow> = new Set(['usage', 'expiries', 'withdrawals']);

export interface RollForward {
  openingMicros: string;
  inflowsMicros: string;
  usageMicros: string;
  expiriesMicros: string;
  withdrawalsMicros: string;
  adjustmentsMicros: string;
  closingMicros: string;
  creditMicros: string;
  debtMicros: string;
}

/** The day's entries summed by flow, each as stored (signed). */
export class FlowSums {
  private readonly sums: Record<Flow, bigint> = {
    inflows: 0n,
    usage: 0n,
    expiries: 0n,
    withdrawals: 0n,
    adjustments: 0n,
  };

  add(type: EntryType, amount: number): void {
    this.sums[FLOW_OF[type]] += BigInt(amount);
  }

  /** The figure reported for a flow: outflows as positive figures, the others as summed. */
  figure(flow: Flow): bigint {
    const sum = this.sums[flow];
    return OUTFLOWS.has(flow) ? -sum : sum;
  }
}

export function balancesOf(leaves: readonly Leaf[]): { total: bigint; credit: bigint; debt: bigint } {
  let credit = 0n;
  let debt = 0n;
  for (const leaf of leaves) {
    const balance = BigInt(leaf.balanceMicros);
    if (balance > 0n) credit += balance;
    else debt -= balance;
  }
  return { total: credit - debt, credit, debt };
}

export function rollForwardOf(openingMicros: bigint, flows: FlowSums, closing: readonly Leaf[]): RollForward {
  const { total, credit, debt } = balancesOf(closing);
  return {
    openingMicros: String(openingMicros),
    inflowsMicros: String(flows.figure('inflows')),
    usageMicros: String(flows.figure('usage')),
    expiriesMicros: String(flows.figure('expiries')),
    withdrawalsMicros: String(flows.figure('withdrawals')),
    adjustmentsMicros: String(flows.figure('adjustments')),
    closingMicros: String(total),
    creditMicros: String(credit),
    debtMicros: String(debt),
  };
}

/** closing − (opening + inflows − usage − expiries − withdrawals + adjustments): 0 when it holds. */
export function rollForwardGap(r: RollForward): bigint {
  const expected =
    BigInt(r.openingMicros) +
    BigInt(r.inflowsMicros) -
    BigInt(r.usageMicros) -
    BigInt(r.expiriesMicros) -
    BigInt(r.withdrawalsMicros) +
    BigInt(r.adjustmentsMicros);
  return BigInt(r.closingMicros) - expected;
}

/** Whether closing is the digest's credit less the debt, and the roll-forward adds up. */
export function rollForwardHolds(r: RollForward, digestCreditMicros: string): boolean {
  return (
    rollForwardGap(r) === 0n &&
    BigInt(r.closingMicros) === BigInt(r.creditMicros) - BigInt(r.debtMicros) &&
    r.creditMicros === digestCreditMicros
  );
}
