import { describe, expect, it } from 'vitest';
import { charge, getBalance, grantPurchase } from '../core/index.js';
import { c, expectInvariants, newLedger } from './support/ledger.js';

describe('smoke', () => {
  it('buys and charges', async () => {
    const { ledger } = await newLedger();
    await grantPurchase(ledger, { accountId: 'u1', amount: c('20'), source: 'stripe', purchaseId: 'pu_1' });
    const paid = await charge(ledger, { accountId: 'u1', deploymentId: 'd1', amount: c('5.5'), idempotencyKey: 'k1' });
    expect(paid.status).toBe('paid');
    expect((await getBalance(ledger, 'u1')).balance).toBe(c('14.5'));
    await expectInvariants(ledger, 'u1');
  });
});
