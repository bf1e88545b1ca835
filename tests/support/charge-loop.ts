// A writer for the kill -9 test (tests/kill.test.ts): its own ledger and SDK client, charging one
// account one request at a time, printing each answer as a JSON line as it gets it, until killed.
//
//   tsx tests/support/charge-loop.ts <endpoint> <table> <account> <first key> <count>

import { charge, DEFAULT_CONFIG, Ledger, LedgerTable, type Micros } from '../../core/index.js';
import { systemClock } from '../../core/time.js';

const [endpoint, tableName, accountId, first, count] = process.argv.slice(2);
const ledger = new Ledger(new LedgerTable({ tableName: tableName!, endpoint }), systemClock, DEFAULT_CONFIG);
for (let i = Number(first); i < Number(first) + Number(count); i += 1) {
  const key = `k-${i}`;
  process.stdout.write(`${JSON.stringify({ sending: key })}\n`);
  const result = await charge(ledger, {
    accountId: accountId!,
    deploymentId: key,
    amount: 1_000 as Micros,
    idempotencyKey: key,
  });
  process.stdout.write(`${JSON.stringify({ key, result, intents: ledger.stats.intents })}\n`);
}
