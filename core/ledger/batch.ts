// Charges on one account, committed together. Two ways a charge gets into another's transaction:
//
// - Within one process, charges that queue on an account while one commits form the next batch:
//   one read, one plan after another on the same draft, one TransactWriteItems with each
//   charge's idempotency record (its result).
// - Across processes that share nothing (Lambda containers), a writer that loses the account item
//   to another writer stops competing for it: it leaves its charge as an intent (items/intent.ts,
//   a put on a key of its own, so it never conflicts), and whichever writer commits next on the
//   account applies the waiting intents first, in arrival order, in the same transaction. The
//   loser reads its result from its idempotency record; while its intent waits it keeps trying to
//   commit too (applying every waiting intent, its own included), so no intent depends on someone
//   else's traffic.
//
//   read account + intents (one Query) ── plan intents, then local charges ── transact ── results
//        ▲                                                                      │ lost the account
//        └──────────── leave each local charge as an intent, wait a moment ◀────┘
//
// Each charge is planned on the draft as the previous one left it, so the results are exactly
// those of the charges applied one by one in that order. A charge refused on its own (the account
// has too many charges waiting) is answered alone: a local one at once, an intent by an answer
// left in it. Past `maxWaitMs` a waiting writer withdraws its intent (a conditional delete: it
// either withdraws it or finds it applied) and answers 503 with nothing applied.

import { assertAccountInvariants, OverflowNeeded } from '../account.js';
import { assert } from '../assert.js';
import {
  Conflict,
  ContentionExhausted,
  type ErrorCode,
  Forbidden,
  InsufficientCredits,
  IoCreditsError,
  NotFound,
} from '../errors.js';
import { newId } from '../ids.js';
import { accountFromItem, accountItem, type LoadedAccount, layoutLots, withOverflow } from '../items/account.js';
import { idempotencyPut } from '../items/idempotency.js';
import { type ChargeIntent, INTENT_LIFETIME_MS, intentFromItem, intentWrites } from '../items/intent.js';
import { keys, SK_PREFIX } from '../table/keys.js';
import { type Item, MAX_TRANSACT_ITEMS, TransactionCancelled } from '../table/table.js';
import type { ChargeRequest, ChargeResult } from './charge.js';
import { Draft, type PlannedWrite } from './draft.js';
import {
  afterCommit,
  assertDistinctKeys,
  findReplay,
  type Ledger,
  MAX_ATTEMPTS,
  type Operation,
  refill,
  replayFrom,
  sleep,
} from './ledger.js';

/** At most this many charges of one process commit together; the transaction's room may cut a batch sooner. */
export const MAX_BATCH = 32;
/**
 * Room kept for each charge in a batch: its charge item, usage entry, event and notification, its
 * idempotency record and intent, and what Draft.finish may add after it (two alerts, an event, a
 * top-up's two items).
 */
const WRITES_PER_MEMBER = 4 + 2 + 5;
/** Intents past their lifetime deleted by one commit, at most. */
const MAX_STALE_PER_COMMIT = 20;
/** A writer that lost the account tries again within this many milliseconds (jittered). */
const INTENT_POLL_MS = 6;
/** How often a writer whose intent is not the oldest looks for its result. */
const WATCH_MS = 10;
/** How long the oldest intent may stay the oldest before any waiting writer applies it. */
const TAKE_OVER_MS = 100;

export interface BatchedOperation extends Operation<ChargeResult> {
  idempotency: NonNullable<Operation<ChargeResult>['idempotency']>;
  request: ChargeRequest;
}

/** Makes an intent's operation again, in whichever process applies it. */
export type FromIntent = (request: ChargeRequest) => BatchedOperation;

interface Waiter {
  op: BatchedOperation;
  resolve(result: ChargeResult): void;
  reject(error: unknown): void;
}

type Answer = { ok: true; result: ChargeResult } | { ok: false; error: unknown };

interface AccountRead {
  item: Item | undefined;
  /** Waiting intents, oldest first. */
  intents: ChargeIntent[];
}

export function runBatched(ledger: Ledger, op: BatchedOperation, fromIntent: FromIntent): Promise<ChargeResult> {
  return new Promise((resolve, reject) =>
    ledger.joinBatch<Waiter>(
      op.accountId,
      { op, resolve, reject },
      (waiters) => runBatch(ledger, op.accountId, waiters, fromIntent),
      MAX_BATCH,
    ),
  );
}

/**
 * Commits one batch in the account's queue of this process, then runs what the commits set in
 * motion (outside the queue, as `run` does) and answers each charge.
 */
async function runBatch(ledger: Ledger, accountId: string, waiters: Waiter[], fromIntent: FromIntent): Promise<void> {
  const answers = new Map<Waiter, Answer>();
  const committed: Draft[] = [];
  try {
    await ledger.serialize(accountId, () => {
      ledger.closeBatch(accountId, waiters);
      return ledger.table.meter.run('charge', () =>
        commitWaiters(ledger, accountId, waiters, fromIntent, answers, committed),
      );
    });
  } catch (error) {
    for (const waiter of waiters) if (!answers.has(waiter)) answers.set(waiter, { ok: false, error });
  }
  for (const draft of committed) await afterCommit(ledger, accountId, draft);
  for (const waiter of waiters) {
    const answer = answers.get(waiter);
    assert(answer !== undefined, 'every charge of a batch is answered');
    if (answer.ok) waiter.resolve(answer.result);
    else waiter.reject(answer.error);
  }
}

async function commitWaiters(
  ledger: Ledger,
  accountId: string,
  waiters: Waiter[],
  fromIntent: FromIntent,
  answers: Map<Waiter, Answer>,
  committed: Draft[],
): Promise<void> {
  const started = performance.now();
  let local = [...waiters];
  /** This process's charges left as intents, by intent id. */
  const mine = new Map<string, { waiter: Waiter; intent: ChargeIntent }>();
  let read: AccountRead | undefined;
  let overflowLots = false;
  let limit = MAX_BATCH;
  const oldest = { intentId: '', since: 0 };
  let attempts = 0;
  while (local.length > 0 || mine.size > 0) {
    // While intents wait, the writer of the oldest one applies them all; the others only watch
    // for their results (a small read each), so no transaction is thrown away racing it. If the
    // oldest stays the oldest too long (its writer died or is slow), anyone takes over.
    let first: { intentId: string } | undefined;
    if (mine.size > 0) {
      const waiting = await peekIntents(ledger, accountId);
      await answerMine(ledger, waiting, mine, answers);
      if (local.length === 0 && mine.size === 0) return;
      first = waiting.find((intent) => !intent.refused);
    } else {
      read ??= await readAccount(ledger, accountId);
      first = read.intents.find((intent) => !intent.error);
    }
    if (first && first.intentId !== oldest.intentId)
      Object.assign(oldest, { intentId: first.intentId, since: performance.now() });
    const leads = !first || mine.has(first.intentId) || performance.now() - oldest.since > TAKE_OVER_MS;
    if (!leads) {
      if (local.length > 0) {
        await leaveIntents(ledger, accountId, local, mine);
        local = [];
      }
      if (performance.now() - started + WATCH_MS > ledger.config.maxWaitMs) return giveUp(ledger, local, mine, answers);
      await sleep(WATCH_MS);
      read = undefined;
      continue;
    }
    read ??= await readAccount(ledger, accountId);
    if (++attempts > MAX_ATTEMPTS) return giveUp(ledger, local, mine, answers);
    const outcome = await attemptBatch(ledger, accountId, read, local, mine, fromIntent, overflowLots, limit);
    switch (outcome.kind) {
      case 'committed': {
        ledger.stats.commits += 1;
        if (outcome.members.length > 1) ledger.stats.batched += outcome.members.length;
        for (const member of outcome.members) {
          if (member.waiter) answers.set(member.waiter, { ok: true, result: member.result });
          if (member.intent) {
            if (!mine.delete(member.intent.intentId)) ledger.stats.intentsApplied += 1;
          }
        }
        local = local.filter((waiter) => !answers.has(waiter));
        committed.push(outcome.draft);
        read = undefined;
        limit = MAX_BATCH;
        break;
      }
      case 'answered':
        answers.set(outcome.waiter, outcome.answer);
        local = local.filter((waiter) => waiter !== outcome.waiter);
        break;
      case 'refuse-intent':
        await ledger.table.transact([intentWrites.refused(outcome.intent, outcome.error)]).catch(ignoreCancelled);
        read = undefined;
        break;
      case 'drop-intent':
        await ledger.table.transact([intentWrites.taken(outcome.intent)]).catch(ignoreCancelled);
        read = undefined;
        break;
      case 'load-overflow':
        ledger.stats.overflowLoads += 1;
        overflowLots = true;
        break;
      case 'refill':
        ledger.stats.refills += 1;
        await refill(ledger, outcome.loaded);
        read = undefined;
        break;
      case 'shrink':
        limit = 1;
        break;
      case 'retry': {
        ledger.stats.conflicts += 1;
        if (local.length > 0) {
          await leaveIntents(ledger, accountId, local, mine);
          local = [];
        }
        const pause = Math.random() * INTENT_POLL_MS;
        if (performance.now() - started + pause > ledger.config.maxWaitMs) return giveUp(ledger, local, mine, answers);
        await sleep(pause);
        read = undefined;
        break;
      }
    }
  }
}

async function readAccount(ledger: Ledger, accountId: string): Promise<AccountRead> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': SK_PREFIX.accountAndIntents },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    });
    items.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  const accountSk = keys.account(accountId).sk;
  return {
    item: items.find((item) => item.sk === accountSk),
    intents: items.filter((item) => item.sk !== accountSk).map(intentFromItem),
  };
}

/** Answers this process's intents that are gone (applied, or dropped for a used key) or refused. */
/** The waiting intents, oldest first, without their contents: what a writer watching for its result reads. */
async function peekIntents(ledger: Ledger, accountId: string): Promise<{ intentId: string; refused: boolean }[]> {
  const waiting: { intentId: string; refused: boolean }[] = [];
  let startKey: Item | undefined;
  do {
    const page = await ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': SK_PREFIX.intent },
      ExpressionAttributeNames: { '#error': 'error' },
      ProjectionExpression: 'intentId, #error',
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    });
    waiting.push(...page.items.map((item) => ({ intentId: String(item.intentId), refused: item.error !== undefined })));
    startKey = page.lastKey;
  } while (startKey);
  return waiting;
}

/** Answers this process's intents that are gone (applied, or dropped for a used key) or refused. */
async function answerMine(
  ledger: Ledger,
  waiting: { intentId: string; refused: boolean }[],
  mine: Map<string, { waiter: Waiter; intent: ChargeIntent }>,
  answers: Map<Waiter, Answer>,
): Promise<void> {
  for (const [intentId, { waiter, intent }] of mine) {
    const seen = waiting.find((w) => w.intentId === intentId);
    if (seen && !seen.refused) continue;
    mine.delete(intentId);
    if (seen?.refused) {
      const item = await ledger.table.get(keys.intent(intent.accountId, intentId));
      const refusal = item ? intentFromItem(item).error : undefined;
      answers.set(
        waiter,
        refusal ? { ok: false, error: errorFrom(refusal) } : await storedAnswer(ledger, waiter.op, intent),
      );
      await ledger.table.transact([intentWrites.taken(intent)]).catch(ignoreCancelled);
      continue;
    }
    answers.set(waiter, await storedAnswer(ledger, waiter.op, intent));
  }
}

/** The answer an applied (or dropped) intent left in its idempotency record. */
async function storedAnswer(ledger: Ledger, op: BatchedOperation, intent: ChargeIntent): Promise<Answer> {
  return (
    (await replayAnswer(ledger, op)) ?? {
      // Gone without a record: withdrawn unapplied (a transaction deletes an intent only with its record).
      ok: false,
      error: new ContentionExhausted(`charge ${intent.idempotencyKey} was not applied; retry with the same key`),
    }
  );
}

/** The answer in an idempotency record a failed condition returned. */
function answerFrom(ledger: Ledger, op: BatchedOperation, item: Item): Answer {
  try {
    return { ok: true, result: replayFrom<ChargeResult>(ledger, op.idempotency, item) };
  } catch (error) {
    if (error instanceof IoCreditsError) return { ok: false, error };
    throw error;
  }
}

/** The charge's idempotency record as its answer: its result, or the refusal of a key used for another request. */
async function replayAnswer(ledger: Ledger, op: BatchedOperation): Promise<Answer | undefined> {
  try {
    const replay = await findReplay(ledger, op);
    return replay.found ? { ok: true, result: replay.result } : undefined;
  } catch (error) {
    if (error instanceof IoCreditsError) return { ok: false, error };
    throw error;
  }
}

async function leaveIntents(
  ledger: Ledger,
  accountId: string,
  local: Waiter[],
  mine: Map<string, { waiter: Waiter; intent: ChargeIntent }>,
): Promise<void> {
  const nowMs = ledger.nowMs();
  await Promise.all(
    local.map(async (waiter) => {
      const intent: ChargeIntent = {
        ...waiter.op.request,
        intentId: newId('in', nowMs),
        accountId,
        createdAtMs: nowMs,
        fingerprint: waiter.op.idempotency.fingerprint,
      };
      await ledger.table.put(intentWrites.left(intent));
      ledger.stats.intents += 1;
      mine.set(intent.intentId, { waiter, intent });
    }),
  );
}

/**
 * Past the time limit: withdraws this process's intents (each either withdrawn, so nothing was
 * applied, or already applied, so its result is answered) and answers the rest 503.
 */
async function giveUp(
  ledger: Ledger,
  local: Waiter[],
  mine: Map<string, { waiter: Waiter; intent: ChargeIntent }>,
  answers: Map<Waiter, Answer>,
): Promise<void> {
  const busy = () =>
    new ContentionExhausted(
      `the account was too busy to apply the charge within ${ledger.config.maxWaitMs / 1000} s; nothing was ` +
        'applied, retry with the same Idempotency-Key',
    );
  for (const waiter of local) {
    ledger.stats.exhausted += 1;
    answers.set(waiter, { ok: false, error: busy() });
  }
  for (const { waiter, intent } of mine.values()) {
    try {
      await ledger.table.transact([intentWrites.taken(intent)]);
      ledger.stats.exhausted += 1;
      answers.set(waiter, { ok: false, error: busy() });
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const stored = (await readAccount(ledger, intent.accountId)).intents.find((i) => i.intentId === intent.intentId);
      answers.set(
        waiter,
        stored?.error ? { ok: false, error: errorFrom(stored.error) } : await storedAnswer(ledger, waiter.op, intent),
      );
    }
  }
  mine.clear();
}

interface Member {
  op: BatchedOperation;
  /** The local charge it answers (also set for this process's own intents). */
  waiter?: Waiter;
  intent?: ChargeIntent;
  result: ChargeResult;
  /** Its writes in the draft: [from, to). */
  from: number;
  to: number;
}

type Attempt =
  | { kind: 'committed'; members: Member[]; draft: Draft }
  | { kind: 'answered'; waiter: Waiter; answer: Answer }
  | { kind: 'refuse-intent'; intent: ChargeIntent; error: { code: ErrorCode; message: string } }
  | { kind: 'drop-intent'; intent: ChargeIntent }
  | { kind: 'load-overflow' }
  | { kind: 'refill'; loaded: LoadedAccount }
  | { kind: 'shrink' }
  | { kind: 'retry' };

async function attemptBatch(
  ledger: Ledger,
  accountId: string,
  read: AccountRead,
  local: Waiter[],
  mine: Map<string, { waiter: Waiter; intent: ChargeIntent }>,
  fromIntent: FromIntent,
  overflowLots: boolean,
  limit: number,
): Promise<Attempt> {
  const state = accountFromItem(accountId, read.item);
  const loaded: LoadedAccount = overflowLots
    ? await withOverflow(ledger.table, state)
    : { state, storedOverflow: null };
  const before = loaded.state;
  const nowMs = ledger.nowMs();
  const listened = before.webhookEndpoints > 0 || (await ledger.globalSubscribers.any(nowMs));
  const draft = new Draft(before, nowMs, ledger.config, listened);

  // Intents first (they arrived first), then this process's charges; intents past their lifetime
  // (and refusals nobody collected) are deleted unapplied.
  const stale = read.intents
    .filter((intent) => intent.createdAtMs + INTENT_LIFETIME_MS < nowMs)
    .slice(0, MAX_STALE_PER_COMMIT);
  const candidates: Omit<Member, 'result' | 'from' | 'to'>[] = [
    ...read.intents
      .filter((intent) => !intent.error && intent.createdAtMs + INTENT_LIFETIME_MS >= nowMs)
      .map((intent) => ({ intent, op: fromIntent(intent), waiter: mine.get(intent.intentId)?.waiter })),
    ...local.map((waiter) => ({ waiter, op: waiter.op })),
  ];
  const members: Member[] = [];
  const keysPlanned = new Set<string>();
  let extraWrites = 1 + stale.length;
  for (const candidate of candidates) {
    // The same key twice (a retry racing its first try) waits for the next round, where it replays.
    if (members.length >= limit || keysPlanned.has(candidate.op.idempotency.key)) break;
    if (draft.writes.length + extraWrites + WRITES_PER_MEMBER > MAX_TRANSACT_ITEMS) break;
    const from = draft.writes.length;
    let result: ChargeResult;
    try {
      result = await candidate.op.plan(draft);
      draft.finish();
    } catch (error) {
      if (error instanceof OverflowNeeded) {
        assert(!overflowLots, `a charge needs overflow lots although all are loaded: ${error.message}`);
        return { kind: 'load-overflow' };
      }
      if (!(error instanceof IoCreditsError)) throw error;
      if (candidate.intent) return { kind: 'refuse-intent', intent: candidate.intent, error: errorOf(error) };
      // A retried request whose first try already changed the state replays instead of failing.
      const waiter = candidate.waiter!;
      return { kind: 'answered', waiter, answer: (await replayAnswer(ledger, waiter.op)) ?? { ok: false, error } };
    }
    members.push({ ...candidate, result, from, to: draft.writes.length });
    keysPlanned.add(candidate.op.idempotency.key);
    extraWrites += candidate.intent ? 2 : 1;
  }
  if (members.length === 0 && stale.length === 0) return { kind: 'retry' };

  assertAccountInvariants(draft.state);
  const placement = layoutLots(
    loaded,
    draft.state,
    ledger.config.lotLayout,
    MAX_TRANSACT_ITEMS - draft.writes.length - extraWrites,
  );
  if (!placement) return members.length > 1 ? { kind: 'shrink' } : { kind: 'refill', loaded };
  const writes: PlannedWrite[] = [
    { item: accountItem(draft.state, placement, before.version, draft.now) },
    ...placement.writes.map((item) => ({ item })),
    ...draft.writes,
  ];
  const draftAt = 1 + placement.writes.length;
  const roles = new Map<number, { role: 'idempotency' | 'intent'; member?: Member }>();
  for (const member of members) {
    roles.set(writes.length, { role: 'idempotency', member });
    writes.push(
      idempotencyPut(accountId, member.op.idempotency, draft.nowMs, ledger.config.idempotencyTtlMs, member.result),
    );
    if (member.intent) {
      roles.set(writes.length, { role: 'intent', member });
      writes.push({ item: intentWrites.taken(member.intent) });
    }
  }
  for (const intent of stale) {
    roles.set(writes.length, { role: 'intent' });
    writes.push({ item: intentWrites.taken(intent) });
  }
  assertDistinctKeys(writes);

  try {
    await ledger.table.transact(writes.map((w) => w.item));
    return { kind: 'committed', members, draft };
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const reasons = error.reasons;
    for (const [index, reason] of reasons.entries()) {
      const role = roles.get(index);
      if (reason.code !== 'ConditionalCheckFailed' || role?.role !== 'idempotency' || !role.member) continue;
      const { member } = role;
      // The key already has a record: the charge was applied before (a replay) or the key was
      // used for another request. Its intent is dropped and its writer reads the record.
      if (member.intent) return { kind: 'drop-intent', intent: member.intent };
      const answer = (reason.item
        ? answerFrom(ledger, member.op, reason.item)
        : await replayAnswer(ledger, member.op)) ?? {
        ok: false,
        error: new ContentionExhausted('the idempotency record changed while the charge was planned; retry'),
      };
      return { kind: 'answered', waiter: member.waiter!, answer };
    }
    if (reasons.some((r) => r.code === 'ConditionalCheckFailed' || r.code === 'TransactionConflict')) {
      const failed = reasons.findIndex((r) => r.code === 'ConditionalCheckFailed');
      const onFailed = failed > 0 ? writes[failed]?.onConditionFailed : 'retry';
      if (failed === -1 || failed === 0 || roles.has(failed) || onFailed === 'retry') return { kind: 'retry' };
      const owner = members.find((m) => failed >= draftAt + m.from && failed < draftAt + m.to);
      if (onFailed && owner) {
        const refusal = onFailed();
        if (owner.intent) return { kind: 'refuse-intent', intent: owner.intent, error: errorOf(refusal) };
        return { kind: 'answered', waiter: owner.waiter!, answer: { ok: false, error: refusal } };
      }
    }
    throw error;
  }
}

function ignoreCancelled(error: unknown): void {
  if (!(error instanceof TransactionCancelled)) throw error;
}

function errorOf(error: IoCreditsError): { code: ErrorCode; message: string } {
  return { code: error.code, message: error.message };
}

/** The error an intent's refusal stands for, as its writer answers it. */
function errorFrom(stored: { code: ErrorCode; message: string }): IoCreditsError {
  switch (stored.code) {
    case 'insufficient_credits':
      return new InsufficientCredits(stored.message);
    case 'forbidden':
      return new Forbidden(stored.message);
    case 'not_found':
      return new NotFound(stored.message);
    default:
      return new Conflict(stored.message);
  }
}
