// A heavy account keeps its first lots on the account item and the rest in overflow items of
// their own (core/items/account.ts), so charging it costs what charging a light account
// does, and what it paid for is always credited however many lots it holds. The rules of the
// ledger see every lot exactly as before: these tests run each operation on a heavy account with
// a tiny layout (three lots on the account item) and check the ledger, the invariants and where
// the lots ended up.

import { describe, expect, inject, it } from 'vitest';
import { assert } from '../core/assert.js';
import { newId } from '../core/ids.js';
import {
  type AccountState,
  charge,
  check,
  consumptionKey,
  DAY_MS,
  expireDueLots,
  getBalance,
  grantPromotional,
  Ledger,
  LedgerTable,
  type LiveLot,
  type Micros,
  ROLLUPS_FROM_THE_START,
  refund,
  requestWithdrawal,
} from '../core/index.js';
import { type LoadedAccount, layoutLots, withOverflow } from '../core/items/account.js';
import { itemSizeBytes } from '../core/table/item-size.js';
import { keys, SK_PREFIX } from '../core/table/keys.js';
import { accountItems, c, expectInvariants, newLedger, T0 } from './support/ledger.js';
import { type Bought, buyCredits, providerRefunds } from './support/purchases.js';
import { WALLET } from './support/wallet.js';

const TINY = { max: 3, target: 2, min: 1 };

function lot(i: number, credits: number, expiresInDays: number | null, kind: LiveLot['kind'] = 'purchased'): LiveLot {
  return {
    lotId: newId('lot', T0 + i),
    kind,
    amount: c(String(credits)),
    remaining: c(String(credits)),
    expiresAtMs: expiresInDays === null ? null : T0 + expiresInDays * DAY_MS,
  };
}

function state(lots: LiveLot[]): AccountState {
  return {
    accountId: 'unit',
    version: 3,
    lots,
    overflow: null,
    debts: [],
    pending: [],
    allowance: null,
    lowBalanceThreshold: null,
    lowBalanceAlerted: false,
    allowanceAlerted: false,
    webhookEndpoints: 0,
    autoTopUp: null,
    pendingWithdrawals: 0 as Micros,
    hasPurchased: true,
    flagged: false,
    entryCount: 0,
    lastEntryAtMs: 0,
    headHash: null,
    usageDays: [],
    rollupsSince: ROLLUPS_FROM_THE_START,
  };
}

describe('where lots go (layoutLots)', () => {
  const lots = [lot(1, 5, 10), lot(2, 5, 20), lot(3, 5, 30), lot(4, 5, 40), lot(5, 5, null, 'promotional')];
  const fresh: LoadedAccount = { state: state([]), storedOverflow: null };

  it(
    'an account item over `max` lots keeps the first `target` in consumption order; the rest become overflow ' +
      'items',
    () => {
      const placed = layoutLots(fresh, state(lots), TINY, 90)!;
      expect(placed.inline.map((l) => l.lotId)).toEqual([lots[0]!.lotId, lots[1]!.lotId]);
      expect(placed.writes).toHaveLength(3);
      expect(placed.overflow).toMatchObject({
        count: 3,
        purchased: c('10'),
        promotional: c('5'),
        firstKey: consumptionKey(lots[2]!),
        firstExpiresAtMs: lots[2]!.expiresAtMs,
      });
    },
  );

  it('moves nothing when the transaction has no room for it', () => {
    const placed = layoutLots(fresh, state(lots), TINY, 0)!;
    expect(placed.inline).toHaveLength(5);
    expect(placed.writes).toEqual([]);
  });

  it('an overflow lot the operation changed is always written; when that does not fit, the caller must refill', () => {
    const stored = new Map(lots.slice(2).map((l) => [l.lotId, { ...l }]));
    const before: LoadedAccount = { state: state(lots), storedOverflow: stored };
    const after = state(lots.map((l, i) => (i === 3 ? { ...l, remaining: c('1') } : { ...l })));
    expect(layoutLots(before, after, TINY, 0)).toBeNull();
    const placed = layoutLots(before, after, TINY, 1)!;
    expect(placed.writes).toEqual([
      { Put: { Item: expect.objectContaining({ lotId: lots[3]!.lotId, remaining: c('1') }) } },
    ]);
  });

  it('a spent overflow lot is deleted; an account item below `min` is refilled from the first overflow lots', () => {
    const stored = new Map(lots.slice(2).map((l) => [l.lotId, { ...l }]));
    const before: LoadedAccount = { state: state(lots), storedOverflow: stored };
    const after = state(lots.slice(2)); // the two lots on the account item and nothing else were spent
    const placed = layoutLots(before, after, TINY, 90)!;
    expect(placed.inline.map((l) => l.lotId)).toEqual([lots[2]!.lotId, lots[3]!.lotId]);
    expect(placed.overflow).toMatchObject({ count: 1, firstKey: consumptionKey(lots[4]!) });
    expect(placed.writes.map((w) => Object.keys(w)[0])).toEqual(['Delete', 'Delete']);
  });

  it('a new lot that sorts after the first overflow lot goes to overflow, one before it to the account item', () => {
    const stored = new Map(lots.slice(2).map((l) => [l.lotId, { ...l }]));
    const before: LoadedAccount = { state: state(lots), storedOverflow: stored };
    const early = lot(6, 1, 1);
    const late = lot(7, 1, 35);
    const placed = layoutLots(before, state([...lots, early, late]), { max: 10, target: 3, min: 1 }, 90)!;
    expect(placed.inline.map((l) => l.lotId)).toEqual([early.lotId, lots[0]!.lotId, lots[1]!.lotId]);
    expect(placed.writes).toEqual([{ Put: { Item: expect.objectContaining({ lotId: late.lotId }) } }]);
  });
});

async function heavyAccount(accountId: string, purchases: number, config = { lotLayout: TINY }) {
  const setup = await newLedger(config);
  const bought: Bought[] = [];
  for (let i = 0; i < purchases; i += 1) {
    setup.clock.advance(DAY_MS);
    bought.push(await buyCredits(setup.ledger, accountId, c('5')));
  }
  return { ...setup, bought };
}

async function inlineLots(setup: Awaited<ReturnType<typeof newLedger>>, accountId: string): Promise<number> {
  return ((await setup.table.get(keys.account(accountId)))!.lots as unknown[]).length;
}

describe('a heavy account', () => {
  it('holds 30 purchases with three lots on its account item; its balance and lots are all of them', async () => {
    const setup = await heavyAccount('h1', 30);
    expect(await inlineLots(setup, 'h1')).toBeLessThanOrEqual(TINY.max);
    const view = await getBalance(setup.ledger, 'h1');
    expect(view.balance).toBe(c('150'));
    expect(view.lots).toHaveLength(30);
    expect(view.lots.map((l) => l.expiresAt)).toEqual([...view.lots.map((l) => l.expiresAt)].sort());
    await expectInvariants(setup.ledger, 'h1', { expiriesApplied: true });
  });

  it(
    'a charge covered by the lots on the account item reads no overflow item; a larger one reads them and ' +
      'takes in order',
    async () => {
      const setup = await heavyAccount('h2', 20);
      const queries: unknown[] = [];
      const loadsBefore = setup.ledger.stats.overflowLoads;
      const query = setup.table.query.bind(setup.table);
      // Every charge reads the account with the intents waiting on it (one Query); overflow lots are other Queries.
      setup.table.query = (input) => {
        if (input.ExpressionAttributeValues?.[':prefix'] !== SK_PREFIX.accountAndIntents) queries.push(input);
        return query(input);
      };
      await charge(setup.ledger, { accountId: 'h2', deploymentId: 'small', amount: c('3'), idempotencyKey: 'small' });
      expect(queries).toEqual([]);
      expect(setup.ledger.stats.overflowLoads).toBe(loadsBefore);
      const big = await charge(setup.ledger, {
        accountId: 'h2',
        deploymentId: 'big',
        amount: c('60'),
        idempotencyKey: 'big',
      });
      expect(big.status).toBe('paid');
      expect(queries.length).toBeGreaterThan(0);
      expect((await getBalance(setup.ledger, 'h2')).balance).toBe(c('37'));
      await expectInvariants(setup.ledger, 'h2', { expiriesApplied: true });
    },
  );

  it('a charge whose overflow lots another writer moves between its two reads reads the account again', async () => {
    const setup = await heavyAccount('h-race', 20);
    const other = new Ledger(
      new LedgerTable({ tableName: setup.table.name, endpoint: inject('dynamoEndpoint') }),
      setup.clock,
      setup.ledger.config,
    );
    const query = setup.table.query.bind(setup.table);
    let raced = false;
    // Just before the first writer reads the overflow lots, the other takes 60 credits from them.
    setup.table.query = async (input) => {
      if (!raced && input.ExpressionAttributeValues?.[':prefix'] === SK_PREFIX.overflowLot) {
        raced = true;
        await charge(other, { accountId: 'h-race', deploymentId: 'other', amount: c('60'), idempotencyKey: 'o' });
      }
      return query(input);
    };
    const first = await charge(setup.ledger, {
      accountId: 'h-race',
      deploymentId: 'first',
      amount: c('30'),
      idempotencyKey: 'f',
    });
    expect(raced).toBe(true);
    expect(first).toMatchObject({ status: 'paid', balance: c('10') });
    await expectInvariants(setup.ledger, 'h-race', { expiriesApplied: true });
  });

  it('check reads one item however many lots the account holds', async () => {
    const setup = await heavyAccount('h3', 12);
    setup.table.meter.reset();
    const answer = await check(setup.ledger, 'h3', c('59'));
    expect(answer).toMatchObject({ balance: c('60'), sufficient: true, withinAllowance: true });
    expect(setup.table.meter.snapshot().find((r) => r.label === 'check')).toMatchObject({ calls: 1, readUnits: 1 });
  });

  it('a refund gives credit back to lots that moved to overflow since the charge took from them', async () => {
    const setup = await heavyAccount('h4', 2);
    const paid = await charge(setup.ledger, {
      accountId: 'h4',
      deploymentId: 'd',
      amount: c('8'),
      idempotencyKey: 'd',
    });
    // Promotions expiring before the purchases sort first, pushing the purchased lots out to overflow.
    for (let i = 0; i < 6; i += 1)
      await grantPromotional(setup.ledger, {
        accountId: 'h4',
        amount: c('1'),
        expiresAtMs: setup.ledger.nowMs() + (i + 1) * DAY_MS,
        description: 'early promo',
      });
    await refund(setup.ledger, { accountId: 'h4', chargeId: paid.chargeId, amount: c('8'), idempotencyKey: 'r' });
    const view = await getBalance(setup.ledger, 'h4');
    expect(view.balance).toBe(c('16'));
    expect(view.lots.filter((l) => l.kind === 'purchased').map((l) => l.remaining)).toEqual([c('5'), c('5')]);
    await expectInvariants(setup.ledger, 'h4', { expiriesApplied: true });
  });

  it('a card reversal of the newest purchase, an overflow lot, takes its unspent credit back', async () => {
    const setup = await heavyAccount('h5', 10);
    const newest = setup.bought.at(-1);
    assert(newest !== undefined, 'the account bought lots');
    expect((await getBalance(setup.ledger, 'h5')).lots.at(-1)?.lotId).toBe(newest.lotId);
    await providerRefunds(setup.ledger, newest, c('5'));
    expect((await getBalance(setup.ledger, 'h5')).balance).toBe(c('45'));
    await expectInvariants(setup.ledger, 'h5', { expiriesApplied: true });
  });

  it(
    'a withdrawal takes purchased credit from the account item and overflow lots, soonest-expiring ' + 'first',
    async () => {
      const setup = await heavyAccount('h6', 8);
      await requestWithdrawal(setup.ledger, { accountId: 'h6', amount: c('22'), destination: WALLET });
      const view = await getBalance(setup.ledger, 'h6');
      expect(view.balance).toBe(c('18'));
      expect(view.lots.map((l) => l.remaining)).toEqual([c('3'), c('5'), c('5'), c('5')]);
      await expectInvariants(setup.ledger, 'h6', { expiriesApplied: true });
    },
  );

  it('the nightly run expires overflow lots and sends their notices; nothing is left behind', async () => {
    const setup = await heavyAccount('h7', 10);
    // Bought on days 1-10, expiring 12 months later: 340 days on, all ten are within 30 days of it.
    setup.clock.advance(340 * DAY_MS);
    const notices = await expireDueLots(setup.ledger, 'h7');
    expect(notices.notices).toBe(10);
    setup.clock.advance(30 * DAY_MS);
    const expired = await expireDueLots(setup.ledger, 'h7');
    expect(expired).toMatchObject({ lotsExpired: 10, amountExpired: c('50'), more: false });
    expect((await accountItems(setup.table, 'h7')).filter((item) => item.itemType === 'overflowLot')).toEqual([]);
    await expectInvariants(setup.ledger, 'h7', { expiriesApplied: true });
  });

  it(
    'a charge through more overflow lots than one transaction can rewrite moves them onto the account item ' + 'first',
    async () => {
      const setup = await heavyAccount('h8', 130);
      const refillsBefore = setup.ledger.stats.refills;
      const all = await charge(setup.ledger, {
        accountId: 'h8',
        deploymentId: 'all',
        amount: c('650'),
        idempotencyKey: 'all',
      });
      expect(all.status).toBe('paid');
      expect((await getBalance(setup.ledger, 'h8')).balance).toBe(0);
      const snap = await expectInvariants(setup.ledger, 'h8', { expiriesApplied: true });
      expect(snap.entries.filter((e) => e.type === 'usage')).toHaveLength(1);
      expect(await inlineLots(setup, 'h8')).toBe(0);
      expect(setup.ledger.stats.refills - refillsBefore).toBeGreaterThanOrEqual(1);
    },
  );
});

describe('with the default layout', () => {
  it(
    'an account holding 250 lots keeps an account item under 1 KB, so a charge writes what it writes on a ' +
      'light account',
    async () => {
      const setup = await heavyAccount('h9', 250, { lotLayout: { max: 12, target: 8, min: 2 } });
      const item = (await setup.table.get(keys.account('h9')))!;
      expect(itemSizeBytes(item)).toBeLessThan(1024);
      const { state } = await withOverflow(
        setup.table,
        (await import('../core/items/account.js')).accountFromItem('h9', item),
      );
      expect(state.lots).toHaveLength(250);
      await expectInvariants(setup.ledger, 'h9', { expiriesApplied: true });
    },
  );
});
