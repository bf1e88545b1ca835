// The nightly expiry run, in two halves so it scales with what is due, not with the table.
//
//   fan-out (00:05 UTC): Query the expiry index's 16 shards for accounts whose next lot event
//     (a notice or an expiry) is due ── one message per account ──► expiry queue
//   worker (per batch, functions/expiry-worker.ts):  each account ──► expireDueLots (one
//     transaction: expiry entry, notifications) ── a failure is reported for that message only;
//     after 5 receives ──► DLQ
//
// Both halves are idempotent: an account processed twice finds nothing left to do.

import * as z from 'zod';
import { type ExpiryResult, expireDueLots } from '../ledger/expiry.js';
import type { Ledger } from '../ledger/ledger.js';
import { type Micros, sum } from '../money.js';
import { accountOfPk, expiryIndex } from '../table/keys.js';
import { iso } from '../time.js';
import type { ExpiryMessage, ExpiryQueue } from './port.js';

/** Index items read per Query page. */
const PAGE_SIZE = 1_000;
/** The most accounts one run fans out; a larger night continues in the next run. */
export const MAX_ACCOUNTS_PER_RUN = 5_000_000;
/** Transactions per account per run (90 lots each); the rest waits for the next run. */
const MAX_ROUNDS_PER_ACCOUNT = 10;

export interface FanOutResult {
  accounts: number;
  indexItemsRead: number;
  pages: number;
  failed: string[];
}

export async function fanOutDueAccounts(
  ledger: Ledger,
  queue: ExpiryQueue,
  log: (line: string) => void = () => undefined,
): Promise<FanOutResult> {
  const nowMs = ledger.nowMs();
  const runAt = iso(nowMs);
  const result: FanOutResult = { accounts: 0, indexItemsRead: 0, pages: 0, failed: [] };
  let shard = '';
  await ledger.table.forEachDuePage(
    expiryIndex,
    expiryIndex.shards(),
    expiryIndex.skUpTo(nowMs),
    async (page, partition) => {
      if (partition !== shard && shard) log(`expiry fan-out: ${shard} done, ${result.accounts} accounts sent so far`);
      shard = partition;
      result.pages += 1;
      result.indexItemsRead += page.length;
      const messages: ExpiryMessage[] = page.map((key) => ({ accountId: accountOfPk(key.pk), runAt }));
      const { failed } = await queue.send(messages);
      result.failed.push(...failed);
      result.accounts += messages.length - failed.length;
      if (result.accounts < MAX_ACCOUNTS_PER_RUN) return true;
      log(`expiry fan-out: stopped at ${result.accounts} accounts; the next run continues`);
      return false;
    },
    PAGE_SIZE,
  );
  log(
    `expiry fan-out: ${result.accounts} accounts sent, ${result.indexItemsRead} index items read in ` +
      `${result.pages} pages, ${result.failed.length} failed`,
  );
  return result;
}

export interface AccountRunResult {
  lotsExpired: number;
  amountExpired: Micros;
  notices: number;
}

/** All of one account's due work, in as many transactions as its due lots need (bounded). */
export async function processAccount(ledger: Ledger, accountId: string): Promise<AccountRunResult> {
  const rounds: ExpiryResult[] = [];
  for (let round = 0; round < MAX_ROUNDS_PER_ACCOUNT; round += 1) {
    const result = await expireDueLots(ledger, accountId);
    rounds.push(result);
    if (!result.more) break;
  }
  return {
    lotsExpired: rounds.reduce((n, r) => n + r.lotsExpired, 0),
    amountExpired: sum(rounds.map((r) => r.amountExpired)),
    notices: rounds.reduce((n, r) => n + r.notices, 0),
  };
}

/** What the worker reads of an expiry message: the account (the run time is for logs only). */
const messageShape = z.object({ accountId: z.string() });

/** One expiry queue message: its account's due lots expired and notices sent. */
export async function expireFromMessage(ledger: Ledger, body: string): Promise<AccountRunResult> {
  const message = messageShape.safeParse(JSON.parse(body));
  if (!message.success) throw new Error('the message names no account');
  return processAccount(ledger, message.data.accountId);
}
