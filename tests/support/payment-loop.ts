// A provider's webhook deliveries for the kill -9 test of receipt numbers (tests/receipts-kill.test.ts):
// its own ledger and SDK client, applying the paid event of each purchase given on stdin (one
// `accountId purchaseId` per line), a few at a time, printing each answer as a JSON line, until killed.
//
//   tsx tests/support/payment-loop.ts <endpoint> <table> <now, ms: the test's clock> < purchases

import { createInterface } from 'node:readline';
import { ContentionExhausted, DEFAULT_CONFIG, Ledger, LedgerTable, type Micros } from '../../core/index.js';
import { applyPaymentEvent } from '../../core/ledger/purchases.js';
import { ManualClock } from '../../core/time.js';
import { paidEvent } from './purchases.js';

const [endpoint, tableName, nowMs] = process.argv.slice(2);
const clock = new ManualClock(Number(nowMs));
const ledger = new Ledger(new LedgerTable({ tableName: tableName!, endpoint }), clock, DEFAULT_CONFIG);
const AMOUNT = 10_000_000 as Micros;
const AT_ONCE = 4;

const lines: string[] = [];
for await (const line of createInterface({ input: process.stdin })) if (line.trim()) lines.push(line.trim());

async function deliver(line: string): Promise<void> {
  const [accountId, purchaseId] = line.split(' ') as [string, string];
  for (;;) {
    try {
      const result = await applyPaymentEvent(ledger, paidEvent({ accountId, purchaseId }, AMOUNT));
      process.stdout.write(`${JSON.stringify({ purchaseId, receiptNumber: result.receiptNumber ?? null })}\n`);
      return;
    } catch (error) {
      if (!(error instanceof ContentionExhausted)) throw error;
    }
  }
}

for (let i = 0; i < lines.length; i += AT_ONCE) await Promise.all(lines.slice(i, i + AT_ONCE).map(deliver));
