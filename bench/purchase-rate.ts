// Purchases completed per second when 16 accounts' payment events arrive at once: every account
// has PURCHASES pending purchases, and 16 deliveries run side by side, one per account, each
// account's events one after another (a provider's webhook deliveries). A 503 (busy, nothing
// applied) is delivered again, as a provider would. Uses only the ledger's public operations, so
// the same file measures the ledger before receipts were numbered (run from that commit's tree);
// bench/receipts.ts runs it here. Prints one JSON line.
//
//   tsx bench/purchase-rate.ts <dynamodb endpoint> [purchases per account]

import { randomUUID } from 'node:crypto';
import { ContentionExhausted, DEFAULT_CONFIG, Ledger, LedgerTable, ManualClock, type Micros } from '../core/index.js';
import { applyPaymentEvent, createPurchase } from '../core/ledger/purchases.js';
import { createTableIfMissing } from '../core/table/create.js';

const ACCOUNTS = 16;
const MAX_DELIVERIES = 50;
const AMOUNT = 25_000_000 as Micros;

export async function purchaseRate(endpoint: string, perAccount: number) {
  const table = new LedgerTable({ tableName: `bench-rate-${randomUUID()}`, endpoint });
  await createTableIfMissing(table);
  const ledger = new Ledger(table, new ManualClock(Date.UTC(2026, 5, 15, 12)), DEFAULT_CONFIG);
  const limits = { min: 1 as Micros, max: AMOUNT };
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `rate-${i}`);
  const pending = await Promise.all(
    accounts.map(async (accountId) => {
      const list = [];
      for (let i = 0; i < perAccount; i += 1)
        list.push(await createPurchase(ledger, { accountId, amount: AMOUNT, method: 'card', limits }));
      return list;
    }),
  );
  let redeliveries = 0;
  const startedMs = performance.now();
  await Promise.all(
    pending.map(async (purchases) => {
      for (const purchase of purchases) {
        for (let delivery = 1; ; delivery += 1) {
          try {
            await applyPaymentEvent(ledger, {
              provider: 'stripe',
              eventId: `evt_${purchase.purchaseId}`,
              accountId: purchase.accountId,
              purchaseId: purchase.purchaseId,
              outcome: { kind: 'paid', amount: AMOUNT, paymentRef: `pi_${purchase.purchaseId}` },
            });
            break;
          } catch (error) {
            if (!(error instanceof ContentionExhausted) || delivery === MAX_DELIVERIES) throw error;
            redeliveries += 1;
          }
        }
      }
    }),
  );
  const seconds = (performance.now() - startedMs) / 1000;
  const purchases = ACCOUNTS * perAccount;
  return {
    accounts: ACCOUNTS,
    purchases,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Number((purchases / seconds).toFixed(1)),
    redeliveries,
    conflicts: ledger.stats.conflicts,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [endpoint, perAccount] = process.argv.slice(2);
  if (!endpoint) throw new Error('usage: tsx bench/purchase-rate.ts <dynamodb endpoint> [purchases per account]');
  console.log(JSON.stringify(await purchaseRate(endpoint, Number(perAccount ?? 10))));
}
