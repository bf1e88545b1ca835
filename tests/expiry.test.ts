// The nightly expiry: what expires and when, the notices before it, the fan-out and the worker's
// behaviour under redelivery, crashes and partial failures (the worker Lambda's own batch
// processing, functions/expiry-worker.ts), and the whole run over HTTP.

import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { ExpiryMessage } from '../core/expiry/port.js';
import { fanOutDueAccounts } from '../core/expiry/run.js';
import { SqsExpiryQueue } from '../core/expiry/sqs.js';
import {
  charge,
  getBalance,
  grantPromotional,
  type Ledger,
  listNotifications,
  type ManualClock,
  type Micros,
  refund,
} from '../core/index.js';
import { expireBatch } from '../functions/expiry-worker.js';
import { runExpiryLocally } from '../functions/local/local-expiry.js';
import { startApi } from './support/api.js';
import { c, expectInvariants, newLedger, snapshot } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';
import { sqsEvent } from './support/sqs.js';

const DAY = 86_400_000;

async function buy(ledger: Ledger, accountId: string, amount: string) {
  return buyCredits(ledger, accountId, c(amount));
}

/** A queue that hands every message straight to the worker, as one batch per send. */
function directQueue(ledger: Ledger, seen: ExpiryMessage[] = []) {
  return {
    seen,
    async send(messages: ExpiryMessage[]) {
      seen.push(...messages);
      const out = await expireBatch(
        ledger,
        sqsEvent(...messages.map((m, i): [string, string] => [`m${seen.length}-${i}`, JSON.stringify(m)])),
      );
      expect(out.batchItemFailures).toEqual([]);
      return { failed: [] };
    },
  };
}

async function runAt(ledger: Ledger, clock: ManualClock, atMs: number) {
  clock.set(atMs);
  return runExpiryLocally(ledger);
}

const expiryEntries = async (ledger: Ledger, accountId: string) =>
  (await snapshot(ledger.table, accountId)).entries.filter((e) => e.type === 'expiry');

describe('what expires, and when', () => {
  it('a lot expiring exactly at the run time expires; one a second later does not', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'on-time', '20'); // bought at T0, expires T0 + 12 months
    const expiresAtMs = Date.parse(lot.expiresAt!);
    expect((await runAt(ledger, clock, expiresAtMs - 1_000)).lots).toBe(0);
    expect(await expiryEntries(ledger, 'on-time')).toEqual([]);
    const run = await runAt(ledger, clock, expiresAtMs);
    expect(run).toMatchObject({ accounts: 1, lots: 1, creditsExpired: '20.00' });
    expect(await expiryEntries(ledger, 'on-time')).toEqual([
      expect.objectContaining({ amount: c('-20'), balanceAfter: 0 }),
    ]);
    await expectInvariants(ledger, 'on-time', { expiriesApplied: true });
  });

  it('a lot that expired a second before the run expires in it', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'late', '7.5');
    const run = await runAt(ledger, clock, Date.parse(lot.expiresAt!) + 1_000);
    expect(run).toMatchObject({ lots: 1, creditsExpired: '7.50' });
  });

  it('month ends and leap days: 2028-02-29 expires 2029-02-28 at the same time of day', async () => {
    const { ledger, clock } = await newLedger();
    clock.set(Date.parse('2028-02-29T10:30:00Z'));
    const lot = await buy(ledger, 'leap', '10');
    expect(lot.expiresAt).toBe('2029-02-28T10:30:00.000Z');
    // That night's run is before 10:30.
    expect((await runAt(ledger, clock, Date.parse('2029-02-28T00:05:00Z'))).lots).toBe(0);
    expect((await getBalance(ledger, 'leap')).balance).toBe(c('10'));
    expect((await runAt(ledger, clock, Date.parse('2029-03-01T00:05:00Z'))).lots).toBe(1);
    expect((await getBalance(ledger, 'leap')).balance).toBe(0);
  });

  it('balances never count expired credit, before or after the run', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'never', '30');
    clock.set(Date.parse(lot.expiresAt!));
    expect((await getBalance(ledger, 'never')).balance).toBe(0); // not yet run
    await expectInvariants(ledger, 'never');
    await runExpiryLocally(ledger);
    expect((await getBalance(ledger, 'never')).balance).toBe(0);
    await expectInvariants(ledger, 'never', { expiriesApplied: true });
  });

  it('only what is left expires: partly spent, fully spent, partly refunded', async () => {
    const { ledger, clock } = await newLedger();
    const partly = await buy(ledger, 'partly', '20');
    await charge(ledger, { accountId: 'partly', deploymentId: 'd', amount: c('12.5'), idempotencyKey: 'p1' });
    await buy(ledger, 'fully', '10');
    await charge(ledger, { accountId: 'fully', deploymentId: 'd', amount: c('10'), idempotencyKey: 'f1' });
    await buy(ledger, 'refunded', '10');
    const spent = await charge(ledger, {
      accountId: 'refunded',
      deploymentId: 'd',
      amount: c('10'),
      idempotencyKey: 'r1',
    });
    await refund(ledger, {
      accountId: 'refunded',
      chargeId: spent.chargeId,
      amount: c('4'),
      idempotencyKey: 'r1-refund',
    });

    const run = await runAt(ledger, clock, Date.parse(partly.expiresAt!) + 1_000);
    expect(run).toMatchObject({ accounts: 2, lots: 2, creditsExpired: '11.50' });
    expect((await expiryEntries(ledger, 'partly')).map((e) => e.amount)).toEqual([c('-7.5')]);
    expect(await expiryEntries(ledger, 'fully')).toEqual([]);
    expect((await expiryEntries(ledger, 'refunded')).map((e) => e.amount)).toEqual([c('-4')]);
    for (const account of ['partly', 'fully', 'refunded'])
      await expectInvariants(ledger, account, { expiriesApplied: true });
  });
});

describe('expiry notices, 30 and 7 days before, once per lot', () => {
  it('each notice goes out once, then the expiry', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'noticed', '40');
    const expiresAtMs = Date.parse(lot.expiresAt!);
    const expiring = async () =>
      (await listNotifications(ledger, 'noticed', 100)).filter((n) => n.type === 'credits_expiring');

    expect((await runAt(ledger, clock, expiresAtMs - 31 * DAY)).notices).toBe(0);
    expect((await runAt(ledger, clock, expiresAtMs - 30 * DAY)).notices).toBe(1);
    expect((await runAt(ledger, clock, expiresAtMs - 29 * DAY)).notices).toBe(0); // the next night: nothing new
    expect(await expiring()).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^40\.00 credits expire within 30 days: 40\.00 on 2027-01-31/),
      }),
    ]);
    expect((await runAt(ledger, clock, expiresAtMs - 7 * DAY)).notices).toBe(1);
    expect((await runAt(ledger, clock, expiresAtMs - 6 * DAY)).notices).toBe(0);
    expect((await expiring()).map((n) => n.message.split(':')[0])).toEqual([
      '40.00 credits expire within 7 days',
      '40.00 credits expire within 30 days',
    ]);
    const last = await runAt(ledger, clock, expiresAtMs);
    expect(last).toMatchObject({ lots: 1, notices: 0 });
    expect((await listNotifications(ledger, 'noticed', 100)).map((n) => n.type)).toContain('credits_expired');
  });

  it('a promotional grant expiring in 10 days gets its 30-day notice the first night, then the 7-day one', async () => {
    const { ledger, clock } = await newLedger();
    await grantPromotional(ledger, {
      accountId: 'promo',
      amount: c('5'),
      expiresAtMs: clock.nowMs() + 10 * DAY,
      description: 'Trial',
    });
    expect((await runAt(ledger, clock, clock.nowMs() + DAY)).notices).toBe(1);
    expect((await runAt(ledger, clock, clock.nowMs() + 2 * DAY)).notices).toBe(1);
    expect((await runAt(ledger, clock, clock.nowMs() + DAY)).notices).toBe(0);
  });
});

describe('fan-out and worker', () => {
  it('reads only due accounts from the index and sends one message per account, ten a call', async () => {
    const { ledger, clock } = await newLedger();
    for (let i = 0; i < 23; i += 1) await buy(ledger, `due-${i}`, '5');
    clock.advance(40 * DAY);
    for (let i = 0; i < 30; i += 1) await buy(ledger, `later-${i}`, '5');
    clock.set(clock.nowMs() + 366 * DAY - 40 * DAY); // the first 23 are due, the later 30 are not
    const mock = mockClient(SQSClient);
    mock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const result = await fanOutDueAccounts(
      ledger,
      new SqsExpiryQueue('https://sqs.eu-west-1.amazonaws.com/1/expiry', new SQSClient({ region: 'eu-west-1' })),
    );
    const sent = mock
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) =>
        call.args[0].input.Entries!.map((e) => (JSON.parse(e.MessageBody!) as ExpiryMessage).accountId),
      );
    mock.restore();
    expect(result).toMatchObject({ accounts: 23, indexItemsRead: 23, failed: [] });
    expect(sent.sort()).toEqual(Array.from({ length: 23 }, (_, i) => `due-${i}`).sort());
    expect(mock.commandCalls(SendMessageBatchCommand).every((call) => call.args[0].input.Entries!.length <= 10)).toBe(
      true,
    );
  });

  it('a redelivered message changes nothing the second time', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'twice', '10');
    clock.set(Date.parse(lot.expiresAt!));
    const message = sqsEvent(['a', JSON.stringify({ accountId: 'twice', runAt: 'x' })]);
    const first = await expireBatch(ledger, message);
    const again = await expireBatch(ledger, message);
    expect(first).toMatchObject({ lotsExpired: 1, batchItemFailures: [] });
    expect(again).toMatchObject({ lotsExpired: 0, batchItemFailures: [] });
    expect(await expiryEntries(ledger, 'twice')).toHaveLength(1);
  });

  it('a crash between two accounts: the next run does the rest, and nothing twice', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'first', '10');
    await buy(ledger, 'second', '10');
    clock.set(Date.parse(lot.expiresAt!) + 1_000);
    // Then the process died.
    await expireBatch(ledger, sqsEvent(['a', JSON.stringify({ accountId: 'first', runAt: 'x' })]));
    const queue = directQueue(ledger);
    await fanOutDueAccounts(ledger, queue);
    expect(queue.seen.map((m) => m.accountId)).toEqual(['second']); // 'first' is no longer due
    expect(await expiryEntries(ledger, 'first')).toHaveLength(1);
    expect(await expiryEntries(ledger, 'second')).toHaveLength(1);
  });

  it('a partial batch failure reports only the failed messages; the others are done', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'ok-1', '10');
    await buy(ledger, 'ok-2', '10');
    clock.set(Date.parse(lot.expiresAt!) + 1_000);
    const result = await expireBatch(
      ledger,
      sqsEvent(
        ['good-1', JSON.stringify({ accountId: 'ok-1', runAt: 'x' })],
        ['garbled', '{not json'],
        ['bad-account', JSON.stringify({ accountId: '../../etc', runAt: 'x' })],
        ['good-2', JSON.stringify({ accountId: 'ok-2', runAt: 'x' })],
      ),
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad-account', 'garbled']);
    expect(result).toMatchObject({ accounts: 2, lotsExpired: 2, amountExpired: c('20') as Micros });
  });
});

describe('over HTTP', () => {
  it(
    'buy, advance the test clock 12 months, run the job: the log shows the expiry and the balance is ' + 'right',
    async () => {
      const api = await startApi();
      try {
        const token = await api.token('yearly');
        const admin = await api.token('finance', 'credits:admin');
        await buyCredits(api.ledger, 'yearly', c('20'));
        await api.call('POST', '/credits/charges', {
          token,
          body: { deploymentId: 'd', amount: '5' },
          headers: { 'idempotency-key': 'y1' },
        });
        await api.call('POST', '/admin/test-clock', { token: admin, body: { advanceSeconds: 366 * 86_400 } });
        const run = await api.call('POST', '/admin/jobs/expiry', { token: admin });
        expect(run.status).toBe(200);
        expect(run.body).toMatchObject({ accounts: 1, lots: 1, creditsExpired: '15.00', deadLettered: 0 });
        const log = await api.call('GET', '/credits/transactions', { token });
        expect(log.body.items[0]).toMatchObject({
          type: 'expiry',
          category: 'Expired',
          amount: '-15.00',
          balanceAfter: '0.00',
        });
        expect((await api.call('GET', '/credits/balance', { token })).body).toMatchObject({
          balance: '0.00',
          lots: [],
        });
        expect((await api.call('POST', '/admin/jobs/expiry', { token: admin })).body).toMatchObject({
          accounts: 0,
          lots: 0,
        });
        expect((await api.call('POST', '/admin/jobs/expiry', { token })).status).toBe(403);
        await expectInvariants(api.ledger, 'yearly', { expiriesApplied: true });
      } finally {
        api.jobs.stop();
      }
    },
  );
});
