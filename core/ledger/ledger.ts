// The ledger's engine: runs one account operation as read → plan → one TransactWriteItems.
//
// Every operation rewrites the account item under `version = :read`, so two operations on one
// account can never both commit from the same state; the loser re-reads and re-plans (bounded
// retries with jittered backoff). The idempotency record rides in the same transaction:
//
//   attempt ── read account ── plan ── transact[account@v, ...writes, idem(new)] ── ok: result
//                                            │
//                                            ├─ account condition failed / conflict → back off, retry
//                                            ├─ idem exists, same fingerprint → replay its response
//                                            ├─ idem exists, other fingerprint → IdempotencyKeyReused
//                                            └─ another item's named condition → its domain error
//
// A plan that needs a heavy account's overflow lots (account.OverflowNeeded) is planned again with
// them loaded; one whose changed overflow lots would not fit in the transaction first moves them
// onto the account item (a refill, its own transaction) and plans again (table/account-item.ts).

import { createHash } from 'node:crypto';
import { assertAccountInvariants, MAX_LIVE_LOTS, OverflowNeeded } from '../account.js';
import { assert } from '../assert.js';
import { ContentionExhausted, IdempotencyKeyReused, IoCreditsError } from '../errors.js';
import {
  accountFromItem,
  accountItem,
  DEFAULT_LOT_LAYOUT,
  type LoadedAccount,
  type LotLayout,
  layoutLots,
  refillWrites,
  withOverflow,
} from '../items/account.js';
import type { EntryType } from '../items/entry.js';
import { type Idempotency, idempotencyPut, idempotencyRecordFromItem, isLive } from '../items/idempotency.js';
import type { WebhookEvent } from '../items/webhook.js';
import { errorFields, log } from '../log.js';
import { METRICS, type MetricName, metrics } from '../metrics.js';
import { MICROS_PER_CREDIT, type Micros, micros } from '../money.js';
import { keys } from '../table/keys.js';
import { type Item, keyOfWrite, type LedgerTable, MAX_TRANSACT_ITEMS, TransactionCancelled } from '../table/table.js';
import type { Clock } from '../time.js';
import { DAY_MS, iso } from '../time.js';
import { GlobalSubscribers } from '../webhooks/subscribers.js';
import { type ChargeOutcome, type Deadline, Draft, type PlannedWrite } from './draft.js';

export interface LedgerConfig {
  /** Negative allowance for accounts without their own (SPEC: 10 credits). */
  defaultAllowance: Micros;
  /** How long a pending charge waits for credit (SPEC: 300 s). */
  gracePeriodMs: number;
  /** How long an Idempotency-Key replays its first response. */
  idempotencyTtlMs: number;
  /** How many lots the account item holds before the rest go to items of their own. */
  lotLayout: LotLayout;
  /** Lots with credit left beyond which a promotional grant is refused (MAX_LIVE_LOTS). */
  maxLotsForGrants: number;
  /**
   * How long one operation may keep losing the account to other writers before it gives up with
   * ContentionExhausted (503 and Retry-After; nothing applied): no request waits without bound.
   */
  maxWaitMs: number;
}

export const DEFAULT_CONFIG: LedgerConfig = {
  defaultAllowance: micros(10_000_000),
  gracePeriodMs: 300_000,
  idempotencyTtlMs: 7 * DAY_MS,
  lotLayout: DEFAULT_LOT_LAYOUT,
  maxLotsForGrants: MAX_LIVE_LOTS,
  maxWaitMs: 3_000,
};

/**
 * Upper bound on optimistic attempts for one operation; the time limit (`maxWaitMs`) usually ends
 * a losing streak first. Either way the answer is ContentionExhausted (503, Retry-After) with
 * nothing applied, safe to retry with the same Idempotency-Key.
 */
export const MAX_ATTEMPTS = 200;
const EARLY_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 4;
const LATE_BACKOFF_MS = 8;

export interface ContentionStats {
  commits: number;
  conflicts: number;
  replays: number;
  /** Operations that gave up (ContentionExhausted) after their time limit. */
  exhausted: number;
  /** Plans made again with a heavy account's overflow lots loaded. */
  overflowLoads: number;
  /** Transactions that moved overflow lots onto the account item before an operation. */
  refills: number;
  /** Charges this process left as intents after losing the account to another writer (batch.ts). */
  intents: number;
  /** Other processes' intents this process applied in its own transactions. */
  intentsApplied: number;
  /** Charges committed in the same transaction as at least one other. */
  batched: number;
}

/** What a committed change set in motion outside the table: outcomes to publish, deadlines to schedule. */
export interface Commit {
  accountId: string;
  outcomes: ChargeOutcome[];
  deadlines: Deadline[];
  /** Events for other systems the transaction wrote (SPEC §9), to hand to the webhook queue. */
  events: WebhookEvent[];
  /** Automatic top-ups it started (SPEC §8): their PaymentIntents are made now. */
  topUps: { accountId: string; purchaseId: string }[];
}

/**
 * Work done after a transaction commits (schedules, queue messages). It can not undo the commit,
 * so a failure is logged and left to the sweeps, which find what was missed through the table.
 */
export interface CommitEffects {
  afterCommit(commit: Commit): Promise<void>;
}

export class Ledger {
  readonly stats: ContentionStats = {
    commits: 0,
    conflicts: 0,
    replays: 0,
    overflowLoads: 0,
    refills: 0,
    exhausted: 0,
    intents: 0,
    intentsApplied: 0,
    batched: 0,
  };
  /** Set by the runtime; absent in tests of the ledger alone. */
  effects?: CommitEffects;
  /** Operations of this process queue per account; other processes are kept out by `version`. */
  private readonly accountQueues = new Map<string, Promise<unknown>>();
  /** Per account, the batch at the end of its queue that charges may still join (batch.ts). */
  private readonly openBatches = new Map<string, unknown[]>();

  /** Whether endpoints for every account exist (read at most once a minute). */
  readonly globalSubscribers: GlobalSubscribers;

  constructor(
    readonly table: LedgerTable,
    readonly clock: Clock,
    readonly config: LedgerConfig = DEFAULT_CONFIG,
  ) {
    this.globalSubscribers = new GlobalSubscribers(table);
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  /**
   * Runs `fn` after the operations this process already started on the account. Within one
   * process this turns contention into a queue instead of wasted transactions; it is never what
   * keeps the ledger correct (a Lambda container runs one request at a time anyway).
   */
  serialize<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    this.openBatches.delete(accountId);
    const previous = this.accountQueues.get(accountId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.accountQueues.set(accountId, tail);
    void tail.then(() => {
      if (this.accountQueues.get(accountId) === tail) this.accountQueues.delete(accountId);
    });
    return next;
  }

  /**
   * Adds `member` to the batch at the end of the account's queue, or starts one there with
   * `start`, which takes the batch's members once its turn comes (more may join until then).
   */
  joinBatch<M>(accountId: string, member: M, start: (members: M[]) => Promise<void>, maxMembers: number): void {
    const open = this.openBatches.get(accountId) as M[] | undefined;
    if (open && open.length < maxMembers) {
      open.push(member);
      return;
    }
    const members: M[] = [member];
    void start(members);
    this.openBatches.set(accountId, members);
  }

  /** No more members join `members`: its turn has come. */
  closeBatch(accountId: string, members: unknown[]): void {
    if (this.openBatches.get(accountId) === members) this.openBatches.delete(accountId);
  }
}

export interface Operation<R> {
  name: string;
  accountId: string;
  idempotency?: Idempotency;
  /** Edits the draft and returns the result; called again on every retry, so no side effects. */
  plan(draft: Draft): Promise<R> | R;
}

/**
 * A digest of a request, over its JSON with every object's keys sorted, so that the order fields
 * were written or stored in (a DynamoDB map read back, a client's JSON) never turns a redelivery
 * into a 409.
 */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value, sortedKeys)).digest('hex');
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

export async function run<R>(ledger: Ledger, operation: Operation<R>): Promise<R> {
  const done = await ledger.serialize(operation.accountId, () =>
    ledger.table.meter.run(operation.name, async () => {
      let fresh: Item | undefined;
      let overflowLots = false;
      const started = performance.now();
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const outcome = await attemptOnce(ledger, operation, fresh, overflowLots);
        if (outcome.kind === 'done') return outcome;
        if (outcome.kind === 'load-overflow') {
          ledger.stats.overflowLoads += 1;
          overflowLots = true;
          fresh = outcome.current;
          continue;
        }
        if (outcome.kind === 'refill') {
          ledger.stats.refills += 1;
          await refill(ledger, outcome.loaded);
          fresh = undefined;
          continue;
        }
        ledger.stats.conflicts += 1;
        fresh = outcome.current;
        const pause = backoffMs(attempt);
        if (performance.now() - started + pause > ledger.config.maxWaitMs) break;
        await sleep(pause);
      }
      ledger.stats.exhausted += 1;
      throw new ContentionExhausted(
        `account ${operation.accountId} was too busy to apply ${operation.name} within ` +
          `${ledger.config.maxWaitMs / 1000} s; nothing was applied, retry with the same Idempotency-Key`,
      );
    }),
  );
  if (done.committed) await afterCommit(ledger, operation.accountId, done.committed);
  return done.result;
}

/** Effects of a commit, then the settlements it had no room for (each pass settles at least one). */
export async function afterCommit(ledger: Ledger, accountId: string, draft: Draft): Promise<void> {
  recordMetrics(draft);
  const work = draft.outcomes.length + draft.deadlines.length + draft.events.length + draft.topUps.length;
  if (ledger.effects && work > 0) {
    try {
      await ledger.effects.afterCommit({
        accountId,
        outcomes: draft.outcomes,
        deadlines: draft.deadlines,
        events: draft.events,
        topUps: draft.topUps,
      });
    } catch (error) {
      log().error('after-commit effects failed; the sweeps will finish them', {
        accountId,
        error: errorFields(error),
      });
    }
  }
  if (draft.settlementDeferred) {
    await run(ledger, { name: 'settlePendingCharges', accountId, plan: (next) => next.settlePending() });
  }
}

/** What a committed draft did, as business metrics (core/metrics.ts). */
export function recordMetrics(draft: Draft): void {
  const sink = metrics();
  const credits = (type: EntryType) =>
    draft.entries.filter((e) => e.type === type).reduce((total, e) => total + Math.abs(e.amount), 0) /
    MICROS_PER_CREDIT;
  const entries = (type: EntryType) => draft.entries.filter((e) => e.type === type).length;
  const outcomes = (status: ChargeOutcome['status']) => draft.outcomes.filter((o) => o.status === status).length;
  const figures: [MetricName, number][] = [
    [METRICS.creditsPurchased, credits('purchase')],
    [METRICS.creditsCharged, credits('usage')],
    [METRICS.creditsExpired, credits('expiry')],
    [METRICS.chargesPaid, outcomes('paid')],
    [METRICS.chargesFailed, outcomes('failed')],
    [METRICS.chargesPending, draft.deadlines.length],
    [METRICS.withdrawalsRequested, entries('withdrawal')],
  ];
  for (const [name, value] of figures) if (value > 0) sink.add(name, value);
}

/** `current` is the account item the failed condition returned, so a retry need not re-read it. */
type Attempt<R> =
  | { kind: 'done'; result: R; committed?: Draft }
  | { kind: 'retry'; current?: Item }
  | { kind: 'load-overflow'; current?: Item }
  | { kind: 'refill'; loaded: LoadedAccount };

async function attemptOnce<R>(
  ledger: Ledger,
  operation: Operation<R>,
  current: Item | undefined,
  overflowLots: boolean,
): Promise<Attempt<R>> {
  const item = current ?? (await ledger.table.get(keys.account(operation.accountId)));
  const read = accountFromItem(operation.accountId, item);
  const loaded: LoadedAccount = overflowLots
    ? await withOverflow(ledger.table, read)
    : { state: read, storedOverflow: null };
  const before = loaded.state;
  const nowMs = ledger.nowMs();
  const listened = before.webhookEndpoints > 0 || (await ledger.globalSubscribers.any(nowMs));
  const draft = new Draft(before, nowMs, ledger.config, listened);
  let result: R;
  try {
    result = await operation.plan(draft);
    draft.finish();
  } catch (error) {
    if (error instanceof OverflowNeeded) {
      assert(!overflowLots, `${operation.name} needs overflow lots although all are loaded: ${error.message}`);
      return { kind: 'load-overflow', current: item };
    }
    // A retried request whose first attempt already changed the state (a refund of the whole
    // charge, say) must replay, not fail against the new state.
    if (error instanceof IoCreditsError && operation.idempotency) {
      const replay = await findReplay<R>(ledger, operation);
      if (replay.found) return { kind: 'done', result: replay.result };
    }
    throw error;
  }
  if (!draft.changed() && !operation.idempotency) return { kind: 'done', result };

  assertAccountInvariants(draft.state);
  const room = MAX_TRANSACT_ITEMS - 1 - draft.writes.length - (operation.idempotency ? 1 : 0);
  const placement = layoutLots(loaded, draft.state, ledger.config.lotLayout, room);
  if (!placement) return { kind: 'refill', loaded };
  const writes: PlannedWrite[] = [
    { item: accountItem(draft.state, placement, before.version, draft.now) },
    ...placement.writes.map((item) => ({ item })),
    ...draft.writes,
  ];
  const idempotencyIndex = writes.length;
  if (operation.idempotency)
    writes.push(
      idempotencyPut(operation.accountId, operation.idempotency, draft.nowMs, ledger.config.idempotencyTtlMs, result),
    );
  assertDistinctKeys(writes);

  try {
    await ledger.table.transact(writes.map((w) => w.item));
    ledger.stats.commits += 1;
    return { kind: 'done', result, committed: draft };
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const reasons = error.reasons;
    const idempotencyReason = reasons[idempotencyIndex];
    if (operation.idempotency && idempotencyReason?.code === 'ConditionalCheckFailed') {
      const existing =
        idempotencyReason.item ??
        (await ledger.table.get(
          keys.idempotency(operation.accountId, operation.idempotency.scope, operation.idempotency.key),
        ));
      return { kind: 'done', result: replayFrom<R>(ledger, operation.idempotency, existing) };
    }
    if (reasons[0]?.code === 'ConditionalCheckFailed') return { kind: 'retry', current: reasons[0].item };
    if (reasons.some((r) => r.code === 'TransactionConflict')) return { kind: 'retry' };
    const failed = reasons.findIndex((r) => r.code === 'ConditionalCheckFailed');
    const onFailed = writes[failed]?.onConditionFailed;
    if (onFailed === 'retry') return { kind: 'retry' };
    if (onFailed) throw onFailed();
    throw error;
  }
}

/** Overflow lots moved onto the account item per refill: what one transaction holds beside it. */
const REFILL_LOTS = MAX_TRANSACT_ITEMS - 1;

/**
 * Moves the first overflow lots onto the account item in a transaction of its own, changing no
 * balance; a lost race leaves it to the next attempt, which reads the account again.
 */
export async function refill(ledger: Ledger, loaded: LoadedAccount): Promise<void> {
  try {
    await ledger.table.transact(refillWrites(loaded, REFILL_LOTS, iso(ledger.nowMs())));
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
  }
}

export async function findReplay<R>(
  ledger: Ledger,
  operation: Operation<R>,
): Promise<{ found: true; result: R } | { found: false }> {
  const idem = operation.idempotency!;
  const item = await ledger.table.get(keys.idempotency(operation.accountId, idem.scope, idem.key));
  if (!item || !isLive(idempotencyRecordFromItem(item), ledger.nowMs())) return { found: false };
  return { found: true, result: replayFrom<R>(ledger, idem, item) };
}

export function replayFrom<R>(ledger: Ledger, idem: Idempotency, item: Item | undefined): R {
  assert(item !== undefined, 'a failed idempotency condition returns the existing record');
  const record = idempotencyRecordFromItem(item);
  if (record.fingerprint !== idem.fingerprint) {
    throw new IdempotencyKeyReused(`Idempotency-Key ${idem.key} was already used with a different request`);
  }
  ledger.stats.replays += 1;
  return JSON.parse(record.response) as R;
}

export function assertDistinctKeys(writes: PlannedWrite[]): void {
  assert(writes.length <= MAX_TRANSACT_ITEMS, `transaction of ${writes.length} items is over the limit`);
  const seen = new Set<string>();
  for (const { item } of writes) {
    const key = keyOfWrite(item);
    const id = `${key.pk}|${key.sk}`;
    assert(!seen.has(id), `transaction touches ${id} twice`);
    seen.add(id);
  }
}

export function sleep(ms: number): Promise<void> {
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
