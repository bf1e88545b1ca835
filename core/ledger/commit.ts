// The ledger's engine: every operation on an account is committed here, whatever it does. Every
// transaction rewrites the account item under `version = :read`, so two commits on one account can
// never both come from the same state; the idempotency record of each operation rides in the same
// transaction. One loop does the retrying, the bounded waiting and the 503:
//
//   run(op) ─► the account's queue in this process ─► a batch (charges queued meanwhile join it)
//      loop ─► another process's intent is the oldest? ─► watch for ours to be applied (intents.ts)
//           └─► attempt (attempt.ts): read, plan each member, finish, lay out, transact
//                 ├─ committed ─► each member answered; effects run after the commit
//                 ├─ lost the account ─► charges leave intents, other operations back off; again
//                 └─ past maxWaitMs ─► withdraw our intents, answer 503 busy: nothing applied
//
// Within one process the queue turns contention into batches instead of wasted transactions; it is
// never what keeps the ledger correct (a Lambda container runs one request at a time anyway).
// Across processes a charge that loses the account leaves itself as an intent, and whichever
// writer leads applies every waiting intent, oldest first, with its own members; each is answered
// exactly as if it had been alone in that order.

import { assert } from '../assert.js';
import { ContentionExhausted } from '../errors.js';
import { type LoadedAccount, refillWrites } from '../items/account.js';
import type { ChargeIntent } from '../items/intent.js';
import { errorFields, log } from '../log.js';
import { keys } from '../table/keys.js';
import { MAX_TRANSACT_ITEMS, TransactionCancelled } from '../table/table.js';
import { iso } from '../time.js';
import { type Attempt, attempt, type Delivery, type Operation, replayOf, type Waiter } from './attempt.js';
import { recordMetrics } from './commit-metrics.js';
import type { Draft } from './draft.js';
import {
  type AccountRead,
  type IntentSeen,
  leaveIntent,
  peekIntents,
  readAccountAndIntents,
  refusalOf,
  refuseIntent,
  takeIntent,
} from './intents.js';
import type { Ledger } from './ledger.js';
import { settlePending } from './pending.js';

export type { Joinable, Operation } from './attempt.js';

/** At most this many charges of one process commit together; the transaction's room may cut a batch sooner. */
export const MAX_BATCH = 32;
/**
 * Upper bound on attempts for one batch; the time limit (`maxWaitMs`) usually ends a losing streak
 * first. Either way the answer is ContentionExhausted (503, Retry-After) with nothing applied, safe
 * to retry with the same Idempotency-Key.
 */
export const MAX_ATTEMPTS = 200;
const EARLY_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 4;
const LATE_BACKOFF_MS = 8;
/** A charge that lost the account tries again within this many milliseconds (jittered). */
const INTENT_POLL_MS = 6;
/** How often a writer whose intent is not the oldest looks for its result. */
const WATCH_MS = 10;
/** How long the oldest intent may stay the oldest before any waiting writer applies it. */
const TAKE_OVER_MS = 100;

export function run<R>(ledger: Ledger, op: Operation<R>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const waiter: Waiter = {
      op,
      async plan(draft) {
        const result = await op.plan(draft);
        return { result, deliver: () => resolve(result) };
      },
      replayed: (response) => () => resolve(JSON.parse(response)),
      failed: (error) => () => reject(error),
    };
    queuesOf(ledger).enqueue(waiter, (waiters) => commitBatch(ledger, op.accountId, waiters));
  });
}

/** This process's operations per account: a queue, and the batch at its end charges may still join. */
class AccountQueues {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly open = new Map<string, Waiter[]>();

  enqueue(waiter: Waiter, start: (waiters: Waiter[]) => Promise<void>): void {
    const { accountId, joinable } = waiter.op;
    const batch = joinable ? this.open.get(accountId) : undefined;
    if (batch && batch.length < MAX_BATCH) {
      batch.push(waiter);
      return;
    }
    const waiters = [waiter];
    void start(waiters);
    if (joinable) this.open.set(accountId, waiters);
  }

  /** Runs `fn` after the batches this process already started on the account; nothing joins them any more. */
  serialize<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    this.open.delete(accountId);
    const next = (this.tails.get(accountId) ?? Promise.resolve()).then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(accountId, tail);
    void tail.then(() => {
      if (this.tails.get(accountId) === tail) this.tails.delete(accountId);
    });
    return next;
  }

  /** No more members join `waiters`: its turn has come. */
  close(accountId: string, waiters: Waiter[]): void {
    if (this.open.get(accountId) === waiters) this.open.delete(accountId);
  }
}

const queues = new WeakMap<Ledger, AccountQueues>();

/**
 * The queue of this process's operations that may number documents: the document sequences are
 * one item for every account, so such operations racing each other in one process would only
 * cancel each other's transactions. Across processes the sequence's condition keeps numbers
 * gap-free and unique; this queue only spares the wasted attempts.
 */
const SEQUENCES = '#document-sequences';

function queuesOf(ledger: Ledger): AccountQueues {
  let found = queues.get(ledger);
  if (!found) {
    found = new AccountQueues();
    queues.set(ledger, found);
  }
  return found;
}

/** Commits a batch in its turn, runs what its commits set in motion (outside the queue), then answers each caller. */
async function commitBatch(ledger: Ledger, accountId: string, waiters: Waiter[]): Promise<void> {
  const account = queuesOf(ledger);
  let round: Round | undefined;
  try {
    await account.serialize(accountId, () => {
      // Its turn has come: nothing joins the batch from now on.
      account.close(accountId, waiters);
      round = new Round(ledger, accountId, waiters);
      const commit = () => ledger.table.meter.run(waiters[0]!.op.name, () => commitLoop(round!));
      // After the account's turn, never before it: every operation takes the two in that order.
      return waiters[0]!.op.sequenced ? account.serialize(SEQUENCES, commit) : commit();
    });
  } catch (error) {
    round ??= new Round(ledger, accountId, waiters);
    for (const waiter of waiters) if (!round.answers.has(waiter)) round.answers.set(waiter, waiter.failed(error));
  }
  assert(round !== undefined, 'a batch runs in its turn');
  for (const draft of round.committed) await afterCommit(ledger, accountId, draft);
  for (const waiter of waiters) {
    const delivery = round.answers.get(waiter);
    assert(delivery !== undefined, 'every caller of a batch is answered');
    delivery();
  }
}

/** Where one batch stands in its loop. */
class Round {
  readonly answers = new Map<Waiter, Delivery>();
  readonly committed: Draft[] = [];
  /** Callers neither answered nor left as intents. */
  local: Waiter[];
  /** Callers left as intents, by intent id. */
  readonly mine = new Map<string, { waiter: Waiter; intent: ChargeIntent }>();
  read: AccountRead | undefined;
  overflowLots = false;
  limit = MAX_BATCH;
  attempts = 0;
  /** The oldest waiting intent, and since when it is the oldest. */
  oldest = { intentId: '', sinceMs: 0 };
  readonly startedMs = performance.now();
  /** Charges read the intents beside the account item and leave their own when they lose it. */
  readonly joinable: boolean;

  constructor(
    readonly ledger: Ledger,
    readonly accountId: string,
    waiters: Waiter[],
  ) {
    this.local = [...waiters];
    this.joinable = waiters.every((w) => w.op.joinable !== undefined);
    assert(this.joinable || waiters.length === 1, 'only charges share a batch');
  }

  waiting(): boolean {
    return this.local.length > 0 || this.mine.size > 0;
  }

  answer(waiter: Waiter, delivery: Delivery): void {
    this.answers.set(waiter, delivery);
    this.local = this.local.filter((w) => w !== waiter);
  }
}

/** The one retry loop: attempts until every caller is answered, within MAX_ATTEMPTS and maxWaitMs. */
async function commitLoop(round: Round): Promise<void> {
  while (round.waiting()) {
    const leading = await leads(round);
    if (!round.waiting()) return;
    if (!leading) {
      await leaveIntents(round);
      if (!(await pauseWithin(round, WATCH_MS))) return giveUp(round);
      round.read = undefined;
      continue;
    }
    if (++round.attempts > MAX_ATTEMPTS) return giveUp(round);
    round.read ??= await readFor(round);
    const outcome = await attempt({
      ledger: round.ledger,
      accountId: round.accountId,
      read: round.read,
      local: round.local,
      mine: round.mine,
      overflowLots: round.overflowLots,
      limit: round.limit,
    });
    const pauseMs = await settle(round, outcome);
    if (pauseMs !== undefined && !(await pauseWithin(round, pauseMs))) return giveUp(round);
  }
}

/** A charge's batch reads the intents beside the account item; any other operation the item alone. */
async function readFor(round: Round): Promise<AccountRead> {
  if (round.joinable) return readAccountAndIntents(round.ledger, round.accountId);
  return { item: await round.ledger.table.get(keys.account(round.accountId)), intents: [] };
}

/**
 * Whether this batch commits now. While intents wait, the writer of the oldest one applies them
 * all; the others only watch for their results (a small read each), so no transaction is thrown
 * away racing it. If the oldest stays the oldest too long (its writer died or is slow), anyone
 * takes over.
 */
async function leads(round: Round): Promise<boolean> {
  let first: string | undefined;
  if (round.mine.size > 0) {
    const seen = await peekIntents(round.ledger, round.accountId);
    await answerMine(round, seen);
    first = seen.find((intent) => !intent.refused)?.intentId;
  } else {
    round.read ??= await readFor(round);
    first = round.read.intents.find((intent) => !intent.error)?.intentId;
  }
  if (first !== undefined && first !== round.oldest.intentId)
    round.oldest = { intentId: first, sinceMs: performance.now() };
  return first === undefined || round.mine.has(first) || performance.now() - round.oldest.sinceMs > TAKE_OVER_MS;
}

/** What an attempt's outcome does to the batch; answers how long to pause before the next, if at all. */
async function settle(round: Round, outcome: Attempt): Promise<number | undefined> {
  const { ledger } = round;
  switch (outcome.kind) {
    case 'committed':
      ledger.stats.commits += 1;
      if (outcome.members.length > 1) ledger.stats.batched += outcome.members.length;
      round.committed.push(outcome.draft);
      round.read = undefined;
      round.limit = MAX_BATCH;
      answerMembers(round, outcome.members);
      return undefined;
    case 'unchanged':
      answerMembers(round, outcome.members);
      return undefined;
    case 'answered':
      round.answer(outcome.waiter, outcome.delivery);
      return undefined;
    case 'refuse-intent':
      await refuseIntent(ledger, outcome.intent, outcome.refusal);
      round.read = undefined;
      return undefined;
    case 'drop-intent':
      await takeIntent(ledger, outcome.intent);
      round.read = undefined;
      return undefined;
    case 'load-overflow':
      ledger.stats.overflowLoads += 1;
      round.overflowLots = true;
      return undefined;
    case 'refill':
      ledger.stats.refills += 1;
      await refill(ledger, outcome.loaded);
      round.read = undefined;
      return undefined;
    case 'shrink':
      round.limit = 1;
      return undefined;
    case 'retry':
      return lostTheAccount(round, outcome.current);
  }
}

function answerMembers(round: Round, members: Extract<Attempt, { kind: 'committed' }>['members']): void {
  for (const member of members) {
    if (member.waiter && member.deliver) round.answer(member.waiter, member.deliver);
    if (member.intent && !round.mine.delete(member.intent.intentId)) round.ledger.stats.intentsApplied += 1;
  }
}

/**
 * Another writer won the account. Charges leave themselves as intents and look again within a few
 * milliseconds; any other operation backs off (jittered) and plans again from the item the failed
 * condition returned.
 */
async function lostTheAccount(round: Round, current: AccountRead['item']): Promise<number> {
  round.ledger.stats.conflicts += 1;
  if (round.joinable) {
    await leaveIntents(round);
    round.read = undefined;
    return Math.random() * INTENT_POLL_MS;
  }
  round.read = current ? { item: current, intents: [] } : undefined;
  return backoffMs(round.attempts);
}

/** Leaves this process's callers as intents, for whichever writer commits next. */
async function leaveIntents(round: Round): Promise<void> {
  const leaving = round.local;
  round.local = [];
  await Promise.all(
    leaving.map(async (waiter) => {
      const { joinable, idempotency } = waiter.op;
      assert(joinable !== undefined && idempotency !== undefined, 'only keyed charges are left as intents');
      const intent = await leaveIntent(round.ledger, joinable.request, idempotency.fingerprint);
      round.mine.set(intent.intentId, { waiter, intent });
    }),
  );
}

/** Answers this process's intents that are gone (applied, or dropped for a used key) or refused. */
async function answerMine(round: Round, seen: IntentSeen[]): Promise<void> {
  for (const [intentId, { waiter, intent }] of round.mine) {
    const found = seen.find((s) => s.intentId === intentId);
    if (found && !found.refused) continue;
    round.mine.delete(intentId);
    const refusal = found?.refused ? await refusalOf(round.ledger, intent) : undefined;
    round.answers.set(waiter, refusal ? waiter.failed(refusal) : await storedAnswer(round, waiter));
    if (found?.refused) await takeIntent(round.ledger, intent);
  }
}

/** The answer an applied (or dropped) intent left in its idempotency record. */
async function storedAnswer(round: Round, waiter: Waiter): Promise<Delivery> {
  // Gone without a record: withdrawn unapplied (a transaction deletes an intent only with its record).
  return (await replayOf(round.ledger, waiter)) ?? waiter.failed(busy(round.ledger, waiter.op));
}

/** Sleeps `ms` unless that would take the batch past its time limit; false then. */
async function pauseWithin(round: Round, ms: number): Promise<boolean> {
  if (performance.now() - round.startedMs + ms > round.ledger.config.maxWaitMs) return false;
  await sleep(ms);
  return true;
}

/**
 * Past the time limit: withdraws this process's intents (each either withdrawn, so nothing was
 * applied, or already applied, so its result is answered) and answers the rest 503.
 */
async function giveUp(round: Round): Promise<void> {
  const { ledger } = round;
  for (const waiter of round.local) {
    ledger.stats.exhausted += 1;
    round.answers.set(waiter, waiter.failed(busy(ledger, waiter.op)));
  }
  round.local = [];
  for (const { waiter, intent } of round.mine.values()) {
    if (await takeIntent(ledger, intent)) {
      ledger.stats.exhausted += 1;
      round.answers.set(waiter, waiter.failed(busy(ledger, waiter.op)));
      continue;
    }
    const refusal = await refusalOf(ledger, intent);
    round.answers.set(waiter, refusal ? waiter.failed(refusal) : await storedAnswer(round, waiter));
  }
  round.mine.clear();
}

/** The one answer to an operation that could not be applied in time: 503 with Retry-After, nothing applied. */
function busy(ledger: Ledger, op: Operation<unknown>): ContentionExhausted {
  return new ContentionExhausted(
    `account ${op.accountId} was too busy to apply ${op.name} within ${ledger.config.maxWaitMs / 1000} s; ` +
      'nothing was applied, retry with the same Idempotency-Key',
  );
}

/** Effects of a commit, then the settlements it had no room for (each pass settles at least one). */
async function afterCommit(ledger: Ledger, accountId: string, draft: Draft): Promise<void> {
  recordMetrics(draft);
  const { outcomes, deadlines, events, topUps } = draft;
  if (ledger.effects && outcomes.length + deadlines.length + events.length + topUps.length > 0) {
    try {
      await ledger.effects.afterCommit({
        accountId,
        outcomes: [...outcomes],
        deadlines: [...deadlines],
        events: [...events],
        topUps: [...topUps],
      });
    } catch (error) {
      log().error('after-commit effects failed; the sweeps will finish them', { accountId, error: errorFields(error) });
    }
  }
  if (draft.settlementDeferred) await run(ledger, { name: 'settlePendingCharges', accountId, plan: settlePending });
}

/** Overflow lots moved onto the account item per refill: what one transaction holds beside it. */
const REFILL_LOTS = MAX_TRANSACT_ITEMS - 1;

/**
 * Moves the first overflow lots onto the account item in a transaction of its own, changing no
 * balance; a lost race leaves it to the next attempt, which reads the account again.
 */
async function refill(ledger: Ledger, loaded: LoadedAccount): Promise<void> {
  try {
    await ledger.table.transact(refillWrites(loaded, REFILL_LOTS, iso(ledger.nowMs())));
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Jittered backoff before attempt `attempt + 1`: doubling for the first EARLY_ATTEMPTS, which
 * spreads a burst out, then a short window, so a request that has already lost several rounds
 * competes at least as hard as a newcomer and can not starve.
 */
function backoffMs(attempt: number): number {
  if (attempt <= EARLY_ATTEMPTS) return Math.random() * BASE_BACKOFF_MS * 2 ** attempt;
  return Math.random() * LATE_BACKOFF_MS;
}
