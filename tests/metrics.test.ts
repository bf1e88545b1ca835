// Business metrics are counted where the ledger commits: whichever operation pays a charge,
// credits a purchase or expires a lot, the figures come out the same (core/metrics.ts).

import { afterEach, describe, expect, it } from 'vitest';
import { charge, DAY_MS, expireDueLots, expirePendingCharge, requestWithdrawal } from '../core/index.js';
import { type MetricName, type MetricsPort, useMetrics } from '../core/metrics.js';
import { c, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';
import { WALLET } from './support/wallet.js';

function collect(): { port: MetricsPort; totals: Map<MetricName, number> } {
  const totals = new Map<MetricName, number>();
  return { totals, port: { add: (name, value) => totals.set(name, (totals.get(name) ?? 0) + value) } };
}

afterEach(() => useMetrics({ add: () => undefined }));

describe('business metrics', () => {
  it(
    'count credits purchased, charged and expired, charges paid, pending and failed, withdrawals ' + 'requested',
    async () => {
      const { ledger, clock } = await newLedger({ gracePeriodMs: 60_000, defaultAllowance: c('0') });
      const { port, totals } = collect();
      useMetrics(port);
      await buyCredits(ledger, 'metered', c('10'));
      await charge(ledger, { accountId: 'metered', deploymentId: 'd', amount: c('2.5'), idempotencyKey: 'a' });
      // A replay changes nothing, so it counts nothing.
      await charge(ledger, { accountId: 'metered', deploymentId: 'd', amount: c('2.5'), idempotencyKey: 'a' });
      const pending = await charge(ledger, {
        accountId: 'metered',
        deploymentId: 'd',
        amount: c('50'),
        idempotencyKey: 'b',
      });
      await requestWithdrawal(ledger, { accountId: 'metered', amount: c('1'), destination: WALLET });
      clock.advance(61_000);
      await expirePendingCharge(ledger, 'metered', pending.chargeId);
      clock.advance(400 * DAY_MS);
      await expireDueLots(ledger, 'metered');
      expect(Object.fromEntries(totals)).toEqual({
        CreditsPurchased: 10,
        CreditsCharged: 2.5,
        ChargesPaid: 1,
        ChargesPending: 1,
        ChargesFailed: 1,
        WithdrawalsRequested: 1,
        CreditsExpired: 6.5,
      });
    },
  );
});
