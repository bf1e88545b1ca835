// SPEC §3 with writers that die: processes charging one account are killed with SIGKILL in the
// middle of their requests (holding a transaction in flight, or an intent waiting for another
// writer). Whatever each had sent is applied at most once: a retry of every key it sent, from a
// fresh process, answers what the dead one was told (if it was told anything), the balance is
// exact, and no intent is left behind.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type ChargeResult, charge, getBalance, Ledger, LedgerTable, type Micros } from '../core/index.js';
import { keys, SK_PREFIX } from '../core/table/keys.js';
import { systemClock } from '../core/time.js';
import { c, expectInvariants, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Writer {
  child: ChildProcess;
  sent: string[];
  told: Map<string, ChargeResult>;
  /** Charges it left as intents after losing the account, so far. */
  intents: number;
  exited: Promise<void>;
}

function startWriter(table: string, account: string, first: number, count: number): Writer {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'tests/support/charge-loop.ts',
      inject('dynamoEndpoint'),
      table,
      account,
      String(first),
      String(count),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const writer: Writer = {
    child,
    sent: [],
    told: new Map(),
    intents: 0,
    exited: new Promise((resolve) => child.on('exit', () => resolve())),
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { sending?: string; key?: string; result?: ChargeResult; intents?: number };
    if (message.sending) writer.sent.push(message.sending);
    if (message.key && message.result) writer.told.set(message.key, message.result);
    if (message.intents !== undefined) writer.intents = message.intents;
  });
  return writer;
}

describe('writers killed with SIGKILL mid-request', () => {
  it('every charge they sent is applied at most once, and their retries answer what they were told', {
    timeout: 120_000,
  }, async () => {
    const { ledger } = await newLedger();
    const account = 'killed';
    await buyCredits(ledger, account, c('1000'));
    const writers = Array.from({ length: 4 }, (_, w) => startWriter(ledger.table.name, account, w * 1_000, 1_000));
    // Let them race for a while, then kill two of them at once, mid-flight.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (writers.every((w) => w.told.size >= 15)) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    // They raced: losers left their charges as intents for the others to apply.
    expect(writers.reduce((total, w) => total + w.intents, 0)).toBeGreaterThan(0);
    writers[0]!.child.kill('SIGKILL');
    writers[1]!.child.kill('SIGKILL');
    await Promise.all([writers[0]!.exited, writers[1]!.exited]);
    writers[2]!.child.kill('SIGTERM');
    writers[3]!.child.kill('SIGTERM');
    await Promise.all([writers[2]!.exited, writers[3]!.exited]);

    // A fresh process (ledger) retries every key any of them sent, with the same body.
    const retry = new Ledger(
      new LedgerTable({ tableName: ledger.table.name, endpoint: inject('dynamoEndpoint') }),
      systemClock,
      ledger.config,
    );
    const sent = writers.flatMap((w) => w.sent);
    for (const key of sent) {
      const again = await charge(retry, {
        accountId: account,
        deploymentId: key,
        amount: 1_000 as Micros,
        idempotencyKey: key,
      });
      const told = writers.find((w) => w.told.has(key))?.told.get(key);
      if (told) expect(again, key).toEqual(told);
      expect(again.status).toBe('paid');
    }
    const intents = await retry.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(account), ':prefix': SK_PREFIX.intent },
    });
    expect(intents.items).toEqual([]);
    expect((await getBalance(retry, account)).balance).toBe(c('1000') - sent.length * 1_000);
    const snap = await expectInvariants(retry, account, { expiriesApplied: true });
    expect(snap.entries.filter((e) => e.type === 'usage')).toHaveLength(sent.length);
    expect(new Set(snap.charges.map((ch) => ch.deploymentId)).size).toBe(sent.length);
  });
});
