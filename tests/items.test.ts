// Stored items read back through core/items: what a write stores is what the reader returns, and
// an item that does not match its shape (a bug, or a table edited by hand) is a fault that names
// the item and the field, never a value passed on with the wrong type.

import { describe, expect, it } from 'vitest';
import { type AccountState, compareConsumption, emptyAccount, type LiveLot } from '../core/account.js';
import { AssertionError, assert } from '../core/assert.js';
import { charge, getBalance, listNotifications, listTransactions } from '../core/index.js';
import { accountFromItem, accountItem, layoutLots, loadAccount, putAccount } from '../core/items/account.js';
import { chargeFromItem } from '../core/items/charge.js';
import { entryFromItem } from '../core/items/entry-read.js';
import { lotFromItem } from '../core/items/lot-read.js';
import { getCharge } from '../core/ledger/charge.js';
import { keys, SK_PREFIX } from '../core/table/keys.js';
import { type LedgerTable, MAX_TRANSACT_ITEMS } from '../core/table/table.js';
import { iso } from '../core/time.js';
import { accountItems, c, newLedger, T0 } from './support/ledger.js';
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

const DAY = 86_400_000;
const lot = (lotId: string, kind: LiveLot['kind'], amount: string, remaining: string, extra: Partial<LiveLot> = {}) =>
  ({
    lotId,
    kind,
    amount: c(amount),
    remaining: c(remaining),
    expiresAtMs: T0 + 365 * DAY,
    ...extra,
  }) satisfies LiveLot;

/** Account states covering every field the account item stores, each value it may take. */
function accountStates(): AccountState[] {
  const empty = emptyAccount('acct_rt_empty');
  return [
    { ...empty, version: 1, entryCount: 1, lastEntryAtMs: T0 },
    {
      ...empty,
      accountId: 'acct_rt_full',
      version: 1,
      lots: [
        lot('lot_a', 'purchased', '10', '0', { expiresAtMs: T0 + 10 * DAY, notice: 7 }),
        lot('lot_b', 'promotional', '5', '2.5', { expiresAtMs: T0 + 20 * DAY, notice: 30 }),
        lot('lot_c', 'purchased', '20', '20'),
        lot('lot_d', 'promotional', '1', '1', { expiresAtMs: null }),
      ],
      overflow: {
        count: 3,
        purchased: c('30'),
        promotional: c('0.000001'),
        firstKey: 'z-first',
        firstExpiresAtMs: null,
        nextEventMs: null,
      },
      debts: [
        { ref: 'ch_debt', amount: c('3') },
        { ref: 'reversal:lot_x', amount: c('0.5') },
      ],
      pending: [{ chargeId: 'ch_waiting', amount: c('12'), graceExpiresAtMs: T0 + DAY, product: 'other' }],
      allowance: c('25'),
      lowBalanceThreshold: null,
      lowBalanceAlerted: false,
      allowanceAlerted: true,
      webhookEndpoints: 3,
      autoTopUp: {
        enabled: true,
        threshold: c('10'),
        amount: c('50'),
        monthlyLimit: c('500'),
        card: { customerId: 'cus_1', paymentMethodId: 'pm_1', label: 'Visa •••• 4242' },
        failures: 1,
        inFlight: 'pur_1',
        month: '2026-01',
        spent: c('50'),
      },
      pendingWithdrawals: c('4'),
      hasPurchased: true,
      flagged: true,
      entryCount: 42,
      lastEntryAtMs: T0 + 5,
      headHash: 'ab'.repeat(32),
    },
    {
      ...empty,
      accountId: 'acct_rt_some',
      version: 1,
      lots: [lot('lot_e', 'purchased', '3', '1')],
      overflow: {
        count: 1,
        purchased: c('0'),
        promotional: c('2'),
        firstKey: 'z-next',
        firstExpiresAtMs: T0 + 9 * DAY,
        nextEventMs: T0 + 2 * DAY,
      },
      allowance: c('0'),
      lowBalanceThreshold: c('2.5'),
      autoTopUp: { ...emptyAutoTopUp(), card: null, inFlight: null },
      entryCount: 2,
      lastEntryAtMs: T0,
    },
  ];
}

function emptyAutoTopUp(): NonNullable<AccountState['autoTopUp']> {
  return {
    enabled: false,
    threshold: c('10'),
    amount: c('50'),
    monthlyLimit: c('500'),
    card: null,
    failures: 0,
    inFlight: null,
    month: '2026-01',
    spent: c('0'),
  };
}

/** A new account holding `lots`, at version 1. */
function newAccount(accountId: string, lots: LiveLot[]): AccountState {
  return { ...emptyAccount(accountId), version: 1, lots, entryCount: lots.length, lastEntryAtMs: T0 };
}

/** Writes a new account keeping `inline` lots on its item and the rest in overflow items; answers how many. */
async function writeWithOverflow(table: LedgerTable, state: AccountState, inline: number): Promise<number> {
  const layout = { max: inline, target: inline, min: 1 };
  const placement = layoutLots({ state, storedOverflow: new Map() }, state, layout, MAX_TRANSACT_ITEMS - 1);
  assert(placement, 'the lots fit one transaction');
  await table.transact([accountItem(state, placement, 0, iso(T0)), ...placement.writes]);
  return placement.writes.length;
}

describe('the account item', () => {
  it('reads back as written, every field and each value it may hold', async () => {
    const { table } = await newLedger();
    for (const state of accountStates()) {
      await table.transact([putAccount(state, 0, iso(T0))]);
      const read = accountFromItem(state.accountId, await table.get(keys.account(state.accountId)));
      expect(read).toStrictEqual(state);
    }
  });

  it('a heavy account: lots moved to overflow items read back as the lots they were', async () => {
    const { table } = await newLedger();
    const lots = [
      lot('lot_1', 'purchased', '1', '1', { expiresAtMs: T0 + DAY }),
      lot('lot_2', 'promotional', '2', '0.5', { expiresAtMs: T0 + 2 * DAY, notice: 30 }),
      lot('lot_3', 'purchased', '3', '3', { expiresAtMs: T0 + 3 * DAY, notice: 7 }),
      lot('lot_4', 'promotional', '4', '4', { expiresAtMs: null }),
      lot('lot_5', 'purchased', '5', '2', { expiresAtMs: null }),
    ];
    const state: AccountState = {
      ...emptyAccount('acct_rt_heavy'),
      version: 1,
      lots,
      entryCount: 5,
      lastEntryAtMs: T0,
    };
    const placement = layoutLots({ state, storedOverflow: new Map() }, state, { max: 2, target: 2, min: 1 }, 10);
    expect(placement?.writes).toHaveLength(3);
    await table.transact([accountItem(state, placement!, 0, new Date(T0).toISOString()), ...placement!.writes]);
    const inline = accountFromItem(state.accountId, await table.get(keys.account(state.accountId)));
    expect(inline.lots).toHaveLength(2);
    expect(inline.overflow).toMatchObject({ count: 3, purchased: c('5'), promotional: c('4') });
    expect(await loadAccount(table, state.accountId)).toStrictEqual({
      ...state,
      lots: [...lots].sort(compareConsumption),
    });
  });

  it('a corrupted account item is refused, naming the item and the field, never read as NaN', async () => {
    const { ledger, table } = await newLedger();
    const accountId = 'acct_items_corrupt_account';
    await buyCredits(ledger, accountId, c('10'));
    const item = await table.get(keys.account(accountId));
    expect(item).toBeDefined();
    const stored = item!;
    const [first] = stored.lots as unknown[][];
    const withLot = (change: (tuple: unknown[]) => unknown[]) => ({ ...stored, lots: [change([...first!])] });
    const refused = (corrupt: Record<string, unknown>, at: RegExp) => {
      expect(() => accountFromItem(accountId, corrupt)).toThrow(AssertionError);
      expect(() => accountFromItem(accountId, corrupt)).toThrow(
        new RegExp(`stored account ${stored.pk} ${stored.sk} does not read back at ${at.source}`),
      );
    };

    refused(
      withLot(([lotId, kind, amount, ...rest]) => [lotId, kind, String(amount), ...rest]),
      /lots\.0\.2: .*expected number/,
    );
    refused(
      withLot(([lotId, kind, amount, , ...rest]) => [lotId, kind, amount, -1, ...rest]),
      /lots\.0\.3: this amount is never below zero/,
    );
    refused(
      withLot(([lotId, kind, amount, , ...rest]) => [lotId, kind, amount, Number(amount) + 1, ...rest]),
      /lots\.0: a lot holds at most its amount/,
    );
    refused(
      withLot(([lotId, , ...rest]) => [lotId, 'x', ...rest]),
      /lots\.0\.1/,
    );
    refused(
      withLot((tuple) => [...tuple.slice(0, 5), 14]),
      /lots\.0\.5/,
    );
    const { version: _version, ...withoutVersion } = stored;
    refused(withoutVersion, /version: .*expected number/);
    refused({ ...stored, entryCount: 1.5 }, /entryCount/);
    refused({ ...stored, debts: [['ch_x', 0]] }, /debts\.0\.1: this amount is above zero/);
    refused({ ...stored, pending: [['ch_y', 10]] }, /pending\.0/);
    refused({ ...stored, lowBalanceThreshold: '10' }, /lowBalanceThreshold/);
    refused({ ...stored, autoTopUp: { ...emptyAutoTopUp(), spent: Number.NaN } }, /autoTopUp\.spent/);
    const usageDay = (day: unknown) => ({ ...stored, usageDays: [day] });
    refused(usageDay({ d: '2026-12', p: {} }), /usageDays\.0\.d/);
    refused(usageDay({ d: '2026-12-04', p: { gpu: [1, 0] } }), /usageDays\.0\.p\.gpu: expected a product/);
    refused(
      usageDay({ d: '2026-12-04', p: { other: [-1, 0] } }),
      /usageDays\.0\.p\.other\.0: this amount is never below zero/,
    );
    refused(usageDay({ d: '2026-12-04', p: { other: [1] } }), /usageDays\.0\.p\.other: expected \[usage, refunds\]/);
  });

  it('a corrupted overflow lot is refused when the lots are loaded', async () => {
    const { table } = await newLedger();
    const lots = [1, 2, 3].map((n) =>
      lot(`lot_${n}`, 'purchased', String(n), String(n), { expiresAtMs: T0 + n * DAY }),
    );
    await writeWithOverflow(table, newAccount('acct_corrupt_overflow', lots), 1);
    const [overflowLot] = (await accountItems(table, 'acct_corrupt_overflow')).filter((item) =>
      String(item.sk).startsWith(SK_PREFIX.overflowLot),
    );
    await table.put({ Item: { ...overflowLot, remaining: 'all of it' } });
    await expect(loadAccount(table, 'acct_corrupt_overflow')).rejects.toThrow(
      /stored overflow lot ACCT#acct_corrupt_overflow OVF#.* does not read back at remaining/,
    );
  });
});
