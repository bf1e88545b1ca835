// SPEC §3 invariant 5: concurrent requests on one account never overspend, never lose an
// update, never double-apply. Several Ledger instances with their own SDK clients stand in for
// several Lambda containers hitting the same account on DynamoDB Local at once.

import { describe, expect, it } from 'vitest';
import { type ChargeResult, Conflict, charge, getBalance, Ledger, LedgerTable, refund } from '../core/index.js';
import { c, expectInvariants, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

describe('concurrency on one account', () => {
  it(
    '50 simultaneous charges on a balance that covers exactly 20: 20 paid from credit, 10 on the allowance, ' +
      '20 pending',
    async () => {
      const { ledger } = await newLedger();
      await buyCredits(ledger, 'hot', c('20'));
      const workers = await sameTable(ledger, 5);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          charge(workers[i % workers.length]!, {
            accountId: 'hot',
            deploymentId: `d${i}`,
            amount: c('1'),
            idempotencyKey: `hot-${i}`,
          }),
        ),
      );
      const paid = results.filter((r): r is Extract<ChargeResult, { status: 'paid' }> => r.status === 'paid');
      const pending = results.filter((r) => r.status === 'pending_payment');
      expect(paid).toHaveLength(30);
      expect(pending).toHaveLength(20);
      expect(paid.filter((r) => r.usedAllowance > 0)).toHaveLength(10);
      const balance = await getBalance(ledger, 'hot');
      expect(balance).toMatchObject({ balance: c('-10'), debt: c('10') });
      const snap = await expectInvariants(ledger, 'hot', { expiriesApplied: true });
      expect(snap.entries.filter((e) => e.type === 'usage')).toHaveLength(30);
      expect(snap.charges).toHaveLength(50);
      expect(snap.state.pending).toHaveLength(20);
      expect(new Set(snap.entries.map((e) => e.balanceAfter as number)).size).toBe(snap.entries.length);
    },
  );

  it('the same Idempotency-Key sent 10 times at once charges once', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'dup', c('20'));
    const workers = await sameTable(ledger, 4);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        charge(workers[i % workers.length]!, {
          accountId: 'dup',
          deploymentId: 'd',
          amount: c('3'),
          idempotencyKey: 'once',
        }),
      ),
    );
    expect(new Set(results.map((r) => r.chargeId)).size).toBe(1);
    const snap = await expectInvariants(ledger, 'dup', { expiriesApplied: true });
    expect(snap.charges).toHaveLength(1);
    expect((await getBalance(ledger, 'dup')).balance).toBe(c('17'));
  });

  it('concurrent refunds of one charge never refund more than was charged', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'rf', c('20'));
    const paid = await charge(ledger, { accountId: 'rf', deploymentId: 'd', amount: c('10'), idempotencyKey: 'c' });
    const workers = await sameTable(ledger, 4);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        refund(workers[i % workers.length]!, {
          accountId: 'rf',
          chargeId: paid.chargeId,
          amount: c('1'),
          idempotencyKey: `r${i}`,
        }),
      ),
    );
    const refunded = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refunded).toHaveLength(10);
    expect(refused).toHaveLength(2);
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);
    const snap = await expectInvariants(ledger, 'rf', { expiriesApplied: true });
    expect(snap.entries.filter((e) => e.type === 'refund')).toHaveLength(10);
    expect((await getBalance(ledger, 'rf')).balance).toBe(c('20'));
  });
});

/** Ledgers with their own SDK clients on the same table, like separate Lambda containers. */
async function sameTable(ledger: Ledger, count: number): Promise<Ledger[]> {
  const endpoint = await ledger.table.client.config.endpoint?.();
  const url = endpoint ? `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}` : undefined;
  return Array.from(
    { length: count },
    () => new Ledger(new LedgerTable({ tableName: ledger.table.name, endpoint: url }), ledger.clock, ledger.config),
  );
}
