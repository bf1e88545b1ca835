// Stored items read back through core/items: what a write stores is what the reader returns, and
// an item that does not match its shape (a bug, or a table edited by hand) is a fault that names
// the item and the field, never a value passed on with the wrong type.

import { describe, expect, it } from 'vitest';
import { AssertionError } from '../core/assert.js';
import { charge, getBalance, listNotifications, listTransactions } from '../core/index.js';
import { chargeFromItem } from '../core/items/charge.js';
import { entryFromItem } from '../core/items/entry.js';
import { lotFromItem } from '../core/items/lot.js';
import { getCharge } from '../core/ledger/charge.js';
import { keys } from '../core/table/keys.js';
import { accountItems, c, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

describe('stored items', () => {
  it('read back as written: a charge, its entry, its lot, a notification', async () => {
    const { ledger, table } = await newLedger();
    const accountId = 'acct_items_roundtrip';
    await buyCredits(ledger, accountId, c('10'));
    const paid = await charge(ledger, { accountId, deploymentId: 'dep-1', amount: c('2.5'), idempotencyKey: 'k1' });
    const stored = await getCharge(ledger, accountId, paid.chargeId);
    expect(stored).toMatchObject({ status: 'paid', amount: c('2.5'), refunded: 0, deploymentId: 'dep-1' });
    expect(stored.allocations.map((a) => a.taken)).toEqual([c('2.5')]);
    expect(stored.paidAt).toBeDefined();

    const { items } = await listTransactions(ledger, { accountId, limit: 10 });
    expect(items.map((e) => [e.type, e.category, e.amount])).toEqual([
      ['usage', 'Usage Deductions', -c('2.5')],
      ['purchase', 'Credit Inflow', c('10')],
    ]);
    const balance = await getBalance(ledger, accountId);
    const lotId = balance.lots[0]?.lotId ?? '';
    const lotItem = await table.get(keys.lot(accountId, lotId));
    expect(lotItem && lotFromItem(lotItem)).toMatchObject({
      kind: 'purchased',
      source: 'stripe',
      expired: 0,
      reversed: 0,
    });
    // 10.00 then 7.50: the charge took the balance below the default alert threshold.
    expect((await listNotifications(ledger, accountId)).map((n) => n.type)).toEqual([
      'low_balance',
      'purchase_completed',
    ]);
  });

  it('a stored item that does not match its shape is a fault naming the item and the field', async () => {
    const { ledger, table } = await newLedger();
    const accountId = 'acct_items_corrupt';
    await buyCredits(ledger, accountId, c('10'));
    const paid = await charge(ledger, { accountId, deploymentId: 'dep-2', amount: c('1'), idempotencyKey: 'k2' });
    const item = await table.get(keys.charge(accountId, paid.chargeId));
    expect(item).toBeDefined();
    const corrupt = { ...item, amount: 1.5 };
    expect(() => chargeFromItem(corrupt)).toThrow(AssertionError);
    expect(() => chargeFromItem(corrupt)).toThrow(/stored charge .* at amount: an amount is a safe integer/);
    expect(() => chargeFromItem({ ...item, status: 'refunded' })).toThrow(/at status/);

    const entry = (await accountItems(table, accountId)).find((i) => String(i.sk).startsWith('TX#'));
    expect(entry).toBeDefined();
    expect(() => entryFromItem({ ...entry, type: 'gift' })).toThrow(/stored ledger entry .* at type/);
    expect(() => entryFromItem({ ...entry, createdAt: undefined })).toThrow(/at createdAt/);
  });
});
