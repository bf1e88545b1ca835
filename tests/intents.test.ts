// Charges committed together (core/ledger/commit.ts, intents.ts): within one process a batch is one
// transaction; across ledgers that share nothing, a writer that loses the account leaves its
// charge as an intent, which the next writer applies. Intents of writers that died are applied or,
// past their lifetime, dropped; one the account refuses is answered alone.

import { describe, expect, inject, it } from 'vitest';
import { newId } from '../core/ids.js';
import { type ChargeResult, charge, getBalance, Ledger, LedgerTable, type Micros } from '../core/index.js';
import { type ChargeIntent, INTENT_LIFETIME_MS, intentFromItem, intentWrites } from '../core/items/intent.js';
import { fingerprint } from '../core/ledger/ledger.js';
import { keys, SK_PREFIX } from '../core/table/keys.js';
import { c, expectInvariants, newLedger, T0 } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

/** Ledgers with their own SDK clients on the same table: separate Lambda containers. */
function containers(ledger: Ledger, count: number): Ledger[] {
  return Array.from(
    { length: count },
    () =>
      new Ledger(
        new LedgerTable({ tableName: ledger.table.name, endpoint: inject('dynamoEndpoint') }),
        ledger.clock,
        ledger.config,
      ),
  );
}

async function intentsOf(ledger: Ledger, accountId: string): Promise<ChargeIntent[]> {
  const { items } = await ledger.table.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': `${SK_PREFIX.accountAndIntents}#` },
  });
  return items.map(intentFromItem);
}

/** An intent as a writer leaves it just before it dies (kill -9 after its put). */
async function leftByADeadWriter(
  ledger: Ledger,
  accountId: string,
  charge: { key: string; amount: Micros; createdAtMs?: number },
): Promise<ChargeIntent> {
  const description = 'Deployment dead';
  const intent: ChargeIntent = {
    intentId: newId('in', ledger.nowMs()),
    accountId,
    createdAtMs: charge.createdAtMs ?? ledger.nowMs(),
    deploymentId: 'dead',
    product: 'other',
    amount: charge.amount,
    description,
    idempotencyKey: charge.key,
    fingerprint: fingerprint(['dead', charge.amount, description]),
  };
  expect(await ledger.table.put(intentWrites.left(intent))).toBe(true);
  return intent;
}

describe('charges committed together', () => {
  it('charges sent at once on one ledger commit in one transaction, each answered as if alone in order', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'batch', c('10'));
    const commits = ledger.stats.commits;
    const results = await Promise.all(
      [3, 4, 5, 1].map((amount, i) =>
        charge(ledger, {
          accountId: 'batch',
          deploymentId: `d${i}`,
          amount: c(String(amount)),
          idempotencyKey: `b${i}`,
        }),
      ),
    );
    expect(ledger.stats.commits - commits).toBe(1);
    expect(ledger.stats.batched).toBe(4);
    // 10 − 3 − 4 = 3, then 5 is paid from the allowance (balance −2), then 1 (balance −3).
    expect(results.map((r) => [r.status, r.status === 'paid' ? r.balance : null])).toEqual([
      ['paid', c('7')],
      ['paid', c('3')],
      ['paid', c('-2')],
      ['paid', c('-3')],
    ]);
    await expectInvariants(ledger, 'batch', { expiriesApplied: true });
  });

  it('a retry racing its first try in one batch is answered with the same charge', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'twice', c('10'));
    const send = () => charge(ledger, { accountId: 'twice', deploymentId: 'd', amount: c('2'), idempotencyKey: 'k' });
    const [first, again] = await Promise.all([send(), send()]);
    expect(again).toEqual(first);
    expect((await getBalance(ledger, 'twice')).balance).toBe(c('8'));
  });
});

describe('intents: charges handed to the next writer', () => {
  it('writers that share nothing leave intents when they lose the account, and others apply them', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'hot', c('100'));
    const writers = containers(ledger, 6);
    const results: ChargeResult[] = [];
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 6; i += 1)
          results.push(
            await charge(writer, { accountId: 'hot', deploymentId: 'd', amount: c('1'), idempotencyKey: `${w}-${i}` }),
          );
      }),
    );
    expect(results.filter((r) => r.status === 'paid')).toHaveLength(36);
    const stats = (name: 'intents' | 'intentsApplied') => writers.reduce((total, w) => total + w.stats[name], 0);
    expect(stats('intents')).toBeGreaterThan(0);
    expect(stats('intentsApplied')).toBeGreaterThan(0);
    expect(await intentsOf(ledger, 'hot')).toEqual([]);
    expect((await getBalance(ledger, 'hot')).balance).toBe(c('64'));
    const snap = await expectInvariants(ledger, 'hot', { expiriesApplied: true });
    expect(snap.entries.filter((e) => e.type === 'usage')).toHaveLength(36);
  });

  it("a dead writer's intent is applied by the next charge, and its retry replays that result", async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'dead', c('10'));
    await leftByADeadWriter(ledger, 'dead', { key: 'lost', amount: c('4') });
    const next = await charge(ledger, { accountId: 'dead', deploymentId: 'd', amount: c('1'), idempotencyKey: 'next' });
    // The intent arrived first, so it was applied first.
    expect(next).toMatchObject({ status: 'paid', balance: c('5') });
    expect(await intentsOf(ledger, 'dead')).toEqual([]);
    const retried = await charge(ledger, {
      accountId: 'dead',
      deploymentId: 'dead',
      amount: c('4'),
      description: 'Deployment dead',
      idempotencyKey: 'lost',
    });
    expect(retried).toMatchObject({ status: 'paid', amount: c('4'), balance: c('6') });
    expect((await getBalance(ledger, 'dead')).balance).toBe(c('5'));
    const snap = await expectInvariants(ledger, 'dead', { expiriesApplied: true });
    expect(snap.entries.filter((e) => e.type === 'usage')).toHaveLength(2);
  });

  it('an intent past its lifetime is dropped unapplied; its retry is applied once', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'old', c('10'));
    await leftByADeadWriter(ledger, 'old', { key: 'late', amount: c('4'), createdAtMs: T0 - INTENT_LIFETIME_MS - 1 });
    await charge(ledger, { accountId: 'old', deploymentId: 'd', amount: c('1'), idempotencyKey: 'next' });
    expect(await intentsOf(ledger, 'old')).toEqual([]);
    expect((await getBalance(ledger, 'old')).balance).toBe(c('9'));
    const retried = await charge(ledger, {
      accountId: 'old',
      deploymentId: 'dead',
      amount: c('4'),
      description: 'Deployment dead',
      idempotencyKey: 'late',
    });
    expect(retried).toMatchObject({ status: 'paid', balance: c('5') });
    expect((await getBalance(ledger, 'old')).balance).toBe(c('5'));
  });

  it('an intent the account refuses is answered alone: it keeps the refusal, the next charge is paid', async () => {
    const { ledger } = await newLedger({ defaultAllowance: c('0') });
    await buyCredits(ledger, 'full', c('5'));
    for (let i = 0; i < 20; i += 1)
      await charge(ledger, { accountId: 'full', deploymentId: 'd', amount: c('100'), idempotencyKey: `p${i}` });
    const refused = await leftByADeadWriter(ledger, 'full', { key: 'one-too-many', amount: c('100') });
    const next = await charge(ledger, {
      accountId: 'full',
      deploymentId: 'd',
      amount: c('1'),
      idempotencyKey: 'small',
    });
    expect(next).toMatchObject({ status: 'paid', balance: c('4') });
    const [kept] = await intentsOf(ledger, 'full');
    expect(kept).toMatchObject({ intentId: refused.intentId, error: { code: 'conflict' } });
    expect(kept!.error!.message).toMatch(/20 charges waiting/);
    expect(await ledger.table.get(keys.idempotency('full', 'charge', 'one-too-many'))).toBeUndefined();
  });
});
