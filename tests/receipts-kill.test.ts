// Receipt numbers with writers that die (SPEC §11): processes applying payment events for many
// accounts are killed with SIGKILL mid-flight; the provider then delivers every event again. Every
// purchase ends with one receipt, and the year's numbers are 1..N, each once: a number exists only
// in a transaction that committed, so a writer that died mid-commit left no gap and no double.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { documentFromItem, sequenceFromItem } from '../core/items/receipt.js';
import { applyPaymentEvent, createPurchase, getPurchase } from '../core/ledger/purchases.js';
import { type Micros, micros } from '../core/money.js';
import { keys, SK_PREFIX } from '../core/table/keys.js';
import { expectInvariants, newLedger, T0 } from './support/ledger.js';
import { paidEvent } from './support/purchases.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

const AMOUNT = 10_000_000 as Micros;

function startDeliveries(table: string, purchases: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/support/payment-loop.ts', inject('dynamoEndpoint'), table, String(T0)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  child.stdin!.end(`${purchases.join('\n')}\n`);
  let told = 0;
  createInterface({ input: child.stdout! }).on('line', () => {
    told += 1;
  });
  return { child, told: () => told, exited: new Promise<void>((resolve) => child.on('exit', () => resolve())) };
}

describe('receipt numbers when writers are killed with SIGKILL', () => {
  it('every purchase gets one receipt, and the numbers are 1..N without a gap', { timeout: 120_000 }, async () => {
    const { ledger } = await newLedger();
    const limits = { min: micros(1), max: AMOUNT };
    const purchases = [];
    for (let i = 0; i < 48; i += 1) {
      const accountId = `killed-buyer-${i % 8}`;
      purchases.push(await createPurchase(ledger, { accountId, amount: AMOUNT, method: 'card', limits }));
    }
    const lines = purchases.map((p) => `${p.accountId} ${p.purchaseId}`);
    const writers = [
      startDeliveries(ledger.table.name, lines.slice(0, 24)),
      startDeliveries(ledger.table.name, lines.slice(24)),
    ];
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (writers.every((w) => w.told() >= 4)) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    for (const writer of writers) writer.child.kill('SIGKILL');
    await Promise.all(writers.map((w) => w.exited));

    // The provider delivers every event again, in another order.
    for (const purchase of [...purchases].reverse()) {
      await applyPaymentEvent(ledger, paidEvent(purchase, AMOUNT));
    }
    const numbers: number[] = [];
    for (const accountId of new Set(purchases.map((p) => p.accountId))) {
      const out = await ledger.table.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': SK_PREFIX.receipt },
      });
      numbers.push(...out.items.map((item) => Number(documentFromItem(item).number.slice(-6))));
      await expectInvariants(ledger, accountId);
    }
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: purchases.length }, (_, i) => i + 1));
    expect(sequenceFromItem(await ledger.table.get(keys.documentSequence('receipt', 2026)))).toBe(purchases.length);
    for (const purchase of purchases)
      expect((await getPurchase(ledger, purchase.accountId, purchase.purchaseId)).receiptNumber).toMatch(/^IOC-2026-/);
  });
});
