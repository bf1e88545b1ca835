// The daily close with reconciliation in a process of its own, for the kill -9 test
// (tests/reconcile-kill.test.ts): the provider's payments are read as JSON from stdin, then the
// close runs over the table into the digest folder; it prints `published` once the day's digest is
// out (before reconciliation starts) and `done` at the end, unless killed first.
//
//   tsx tests/support/close-loop.ts <endpoint> <table> <digest dir> <now, ms> <day> < payments.json

import { text } from 'node:stream/consumers';
import { closeDays } from '../../core/close/close.js';
import { LocalDigestStore } from '../../core/close/store.js';
import { LedgerTable } from '../../core/index.js';
import type { ProviderPayment } from '../../core/reconcile/port.js';
import { reconcileStep } from '../../core/reconcile/reconcile.js';
import { ManualClock } from '../../core/time.js';
import { MemoryPayments } from './memory-payments.js';

const [endpoint, tableName, dir, nowMs, day] = process.argv.slice(2);
const table = new LedgerTable({ tableName: tableName!, endpoint });
const store = new LocalDigestStore(dir!);
const stripe = new MemoryPayments('stripe', new ManualClock(Number(nowMs)));
const payments: ProviderPayment[] = JSON.parse(await text(process.stdin));
stripe.payments.push(...payments);
const announce = async () => {
  process.stdout.write('published\n');
};
await closeDays(
  { table, store, nowMs: Number(nowMs), after: [announce, reconcileStep({ table, store, sources: [stripe] })] },
  day!,
);
process.stdout.write('done\n');
