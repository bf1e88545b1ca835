// One attempt at committing a batch of operations on one account (a lone operation is a batch of
// one): read the account, plan each member on one draft as the previous one left it, finish it
// (the rules that follow any change: alerts, auto top-up), lay the lots out, write everything in
// one TransactWriteItems, and classify a cancellation once. The loop around it (commit.ts) decides
// what each outcome means for the callers: answer, plan again, wait, or give up.
//
//   transaction: [account@version, overflow lots moved, member 1's plan, …, member n's plan,
//                 member 1's idempotency record (and its intent's delete), …, stale intents' deletes]
//
//   cancelled ─┬─ a member's key already has a record ─► that member replays (or its intent is dropped)
//              ├─ the account item changed, or a conflict ─► plan again
//              ├─ an intent was taken, or a write says 'retry' ─► plan again
//              └─ a member's named condition ─► that member alone is refused with its domain error

import { assertAccountInvariants, OverflowNeeded } from '../account.js';
import { AssertionError, assert } from '../assert.js';
import { ContentionExhausted, type ErrorCode, IdempotencyKeyReused, IoCreditsError } from '../errors.js';
import { accountFromItem, accountItem, type LoadedAccount, layoutLots, withOverflow } from '../items/account.js';
import { type Actor, auditActorOf } from '../items/audit.js';
import { type Idempotency, idempotencyPut, idempotencyRecordFromItem, isLive } from '../items/idempotency.js';
import { type ChargeIntent, type ChargeRequest, INTENT_LIFETIME_MS, intentWrites } from '../items/intent.js';
import { keys } from '../table/keys.js';
import {
  type CancellationReason,
  type Item,
  keyOfWrite,
  MAX_TRANSACT_ITEMS,
  TransactionCancelled,
} from '../table/table.js';
import { noteAlerts } from './alerts.js';
import { startTopUpIfDue } from './auto-top-up.js';
import { Draft, type PlannedWrite } from './draft.js';
import type { AccountRead } from './intents.js';
import type { Ledger } from './ledger.js';
import { writeOutPastDays } from './rollups.js';
import { ACCOUNT_ITEM_WRITES, IDEMPOTENCY_WRITES, INTENT_WRITES, roomForCharge } from './room.js';

export interface Operation<R> {
  name: string;
  accountId: string;
  idempotency?: Idempotency;
  /** Edits the draft and returns the result; called again on every retry, so no side effects. */
  plan(draft: Draft): Promise<R> | R;
  /**
   * Set on charges: charges queued on one account share a transaction, and one that loses the
   * account to another process is left as an intent for that process to apply (intents.ts).
   */
  joinable?: Joinable;
  /**
   * Set when a staff or service token makes the change (SPEC §14): its plan must write exactly one
   * audit record naming this actor (ledger/audit.ts), so the record commits with the change or not at all.
   */
  actor?: Actor;
  /**
   * Set on operations that may number a receipt or credit note: they share one sequence item, so
   * within a process they commit one at a time rather than race for it (commit.ts).
   */
  sequenced?: true;
}

export interface Joinable {
  request: ChargeRequest;
  /** The operation of an intent another process left, as this process applies it. */
  fromIntent(request: ChargeRequest): Operation<unknown>;
}

/** Answers a caller once its batch is over: its result, a replayed one, or its refusal. */
export type Delivery = () => void;

/** A caller of this process waiting for its operation. */
export interface Waiter {
  readonly op: Operation<unknown>;
  /** Plans the operation; `deliver` answers its result once the transaction committed. */
  plan(draft: Draft): Promise<{ result: unknown; deliver: Delivery }>;
  /** Answers the response an idempotency record kept. */
  replayed(response: string): Delivery;
  failed(error: unknown): Delivery;
}

/** A member of a batch: a caller's operation, another process's intent, or this process's own intent. */
interface Candidate {
  op: Operation<unknown>;
  waiter?: Waiter;
  intent?: ChargeIntent;
}

export interface Member extends Candidate {
  result: unknown;
  deliver?: Delivery;
  /** Its writes in the draft: [from, to). */
  from: number;
  to: number;
}

export type Attempt =
  | { kind: 'committed'; members: Member[]; draft: Draft }
  /** Nothing to write: no change and no record to keep. */
  | { kind: 'unchanged'; members: Member[] }
  | { kind: 'answered'; waiter: Waiter; delivery: Delivery }
  | { kind: 'refuse-intent'; intent: ChargeIntent; refusal: { code: ErrorCode; message: string } }
  | { kind: 'drop-intent'; intent: ChargeIntent }
  | { kind: 'load-overflow' }
  | { kind: 'refill'; loaded: LoadedAccount }
  | { kind: 'shrink' }
  /** `current`: the account item the failed condition returned, so a lone operation need not read it again. */
  | { kind: 'retry'; current?: Item };

export interface AttemptInput {
  ledger: Ledger;
  accountId: string;
  read: AccountRead;
  /** This process's callers not yet answered nor left as intents, in arrival order. */
  local: readonly Waiter[];
  /** This process's callers left as intents, by intent id. */
  mine: ReadonlyMap<string, { waiter: Waiter; intent: ChargeIntent }>;
  overflowLots: boolean;
  /** The most members one transaction takes. */
  limit: number;
}

/** Intents past their lifetime deleted by one commit, at most. */
const MAX_STALE_PER_COMMIT = 20;

export async function attempt(input: AttemptInput): Promise<Attempt> {
  const { ledger } = input;
  const state = accountFromItem(input.accountId, input.read.item);
  const loaded: LoadedAccount = input.overflowLots
    ? await withOverflow(ledger.table, state)
    : { state, storedOverflow: null };
  const nowMs = ledger.nowMs();
  const listened = loaded.state.webhookEndpoints > 0 || (await ledger.globalSubscribers.any(nowMs));
  const draft = new Draft(loaded.state, nowMs, ledger.config, listened);
  const stale = input.read.intents
    .filter((intent) => intent.createdAtMs + INTENT_LIFETIME_MS < nowMs)
    .slice(0, MAX_STALE_PER_COMMIT);
  const planned = await planMembers(input, draft, stale.length * INTENT_WRITES);
  if ('kind' in planned) return planned;
  const { members } = planned;
  if (members.length === 0 && stale.length === 0) return { kind: 'retry' };
  assertAccountInvariants(draft.state);
  const keepsNothing = stale.length === 0 && members.every((m) => !m.op.idempotency && !m.intent);
  if (keepsNothing && !draft.changed()) return { kind: 'unchanged', members };

  const room = MAX_TRANSACT_ITEMS - draft.writes.length - planned.extra;
  const placement = layoutLots(loaded, draft.state, ledger.config.lotLayout, room);
  if (!placement) return members.length > 1 ? { kind: 'shrink' } : { kind: 'refill', loaded };
  const tx = transactionOf(input, draft, members, stale, [
    { item: accountItem(draft.state, placement, loaded.state.version, draft.now) },
    ...placement.writes.map((item) => ({ item })),
  ]);
  const { writes } = tx;
  try {
    await ledger.table.transact(writes.map((w) => w.item));
    return { kind: 'committed', members, draft };
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    return classify(ledger, tx, members, error);
  }
}

/**
 * Plans the waiting intents (they arrived first), then this process's callers, each on the draft
 * as the previous one left it, while the transaction has room; intents past their lifetime (and
 * refusals nobody collected) are left out. The same key twice (a retry racing its first try)
 * waits for the next round, where it replays.
 */
async function planMembers(
  input: AttemptInput,
  draft: Draft,
  staleWrites: number,
): Promise<{ members: Member[]; extra: number } | Attempt> {
  const members: Member[] = [];
  const keysPlanned = new Set<string>();
  let extra = ACCOUNT_ITEM_WRITES + staleWrites;
  for (const candidate of candidatesOf(input, draft.nowMs)) {
    const key = candidate.op.idempotency?.key;
    if (members.length >= input.limit || (key !== undefined && keysPlanned.has(key))) break;
    if (candidate.op.joinable && !roomForCharge(draft, extra)) break;
    const from = draft.writes.length;
    const planned = await planOne(input, draft, candidate);
    if ('kind' in planned) return planned;
    assertAudited(candidate.op, draft.writes.slice(from));
    members.push({ ...candidate, ...planned, from, to: draft.writes.length });
    if (key !== undefined) keysPlanned.add(key);
    extra += (candidate.op.idempotency ? IDEMPOTENCY_WRITES : 0) + (candidate.intent ? INTENT_WRITES : 0);
  }
  return { members, extra };
}

/** A staff operation's plan wrote one audit record, naming its actor; any other wrote none. */
function assertAudited(op: Operation<unknown>, writes: readonly PlannedWrite[]): void {
  const actors = writes.map(auditActorOf).filter((actor) => actor !== undefined);
  const expected = op.actor ? [op.actor.sub] : [];
  assert(
    actors.length === expected.length && actors.every((actor, i) => actor === expected[i]),
    `${op.name} wrote audit records for [${actors.join()}], expected [${expected.join()}]`,
  );
}

function candidatesOf(input: AttemptInput, nowMs: number): Candidate[] {
  const waiting = input.read.intents.filter((i) => !i.error && i.createdAtMs + INTENT_LIFETIME_MS >= nowMs);
  const joinable = [...input.local, ...[...input.mine.values()].map((m) => m.waiter)][0]?.op.joinable;
  assert(waiting.length === 0 || joinable !== undefined, 'intents are read only for charges, which apply them');
  return [
    ...waiting.map((intent) => ({
      intent,
      op: joinable!.fromIntent(intent),
      waiter: input.mine.get(intent.intentId)?.waiter,
    })),
    ...input.local.map((waiter) => ({ waiter, op: waiter.op })),
  ];
}

/** Plans one member, then the rules that follow any change. */
async function planOne(
  input: AttemptInput,
  draft: Draft,
  candidate: Candidate,
): Promise<{ result: unknown; deliver?: Delivery } | Attempt> {
  try {
    const planned = candidate.waiter ? await candidate.waiter.plan(draft) : { result: await candidate.op.plan(draft) };
    finish(draft);
    return planned;
  } catch (error) {
    if (error instanceof OverflowNeeded) {
      assert(!input.overflowLots, `${candidate.op.name} needs overflow lots although all are loaded: ${error.message}`);
      return { kind: 'load-overflow' };
    }
    if (!(error instanceof IoCreditsError)) throw error;
    if (candidate.intent) return { kind: 'refuse-intent', intent: candidate.intent, refusal: refusalOf(error) };
    // A retried request whose first try already changed the state (a refund of the whole charge,
    // say) replays, rather than fail against the new state.
    const waiter = waiterOf(candidate);
    return { kind: 'answered', waiter, delivery: (await replayOf(input.ledger, waiter)) ?? waiter.failed(error) };
  }
}

/** The rules that follow any change, looked at after every member's plan. */
function finish(draft: Draft): void {
  noteAlerts(draft);
  startTopUpIfDue(draft);
  writeOutPastDays(draft);
}

type Role = { role: 'idempotency'; member: Member } | { role: 'intent'; member?: Member };

interface Transaction {
  writes: PlannedWrite[];
  /** Where the draft's writes begin. */
  draftAt: number;
  /** The members' records and the intents' deletes, by their place in `writes`. */
  roles: Map<number, Role>;
}

function transactionOf(
  input: AttemptInput,
  draft: Draft,
  members: Member[],
  stale: ChargeIntent[],
  account: PlannedWrite[],
): Transaction {
  const writes: PlannedWrite[] = [...account, ...draft.writes];
  const roles = new Map<number, Role>();
  const ttlMs = input.ledger.config.idempotencyTtlMs;
  for (const member of members) {
    if (member.op.idempotency) {
      roles.set(writes.length, { role: 'idempotency', member });
      writes.push(idempotencyPut(input.accountId, member.op.idempotency, draft.nowMs, ttlMs, member.result));
    }
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
  return { writes, draftAt: account.length, roles };
}

/** What a cancelled transaction means, decided once for every kind of batch (see the header). */
async function classify(
  ledger: Ledger,
  tx: Transaction,
  members: Member[],
  error: TransactionCancelled,
): Promise<Attempt> {
  const { reasons } = error;
  const replay = await keyAlreadyUsed(ledger, tx, reasons);
  if (replay) return replay;
  if (reasons[0]?.code === 'ConditionalCheckFailed') return { kind: 'retry', current: reasons[0].item };
  if (reasons.some((r) => r.code === 'TransactionConflict')) return { kind: 'retry' };
  const failed = reasons.findIndex((r) => r.code === 'ConditionalCheckFailed');
  const onFailed = tx.writes[failed]?.onConditionFailed;
  if (failed !== -1 && (tx.roles.has(failed) || onFailed === 'retry')) return { kind: 'retry' };
  const owner = members.find((m) => failed >= tx.draftAt + m.from && failed < tx.draftAt + m.to);
  if (!owner || typeof onFailed !== 'function') throw error;
  const refusal = onFailed();
  if (owner.intent) return { kind: 'refuse-intent', intent: owner.intent, refusal: refusalOf(refusal) };
  const waiter = waiterOf(owner);
  return { kind: 'answered', waiter, delivery: waiter.failed(refusal) };
}

/**
 * A member's key already has a record: the operation was applied before (a replay) or the key was
 * used for another request. A caller reads the record; another process's intent is dropped and its
 * writer reads the record itself.
 */
async function keyAlreadyUsed(
  ledger: Ledger,
  tx: Transaction,
  reasons: CancellationReason[],
): Promise<Attempt | undefined> {
  for (const [index, reason] of reasons.entries()) {
    const role = tx.roles.get(index);
    if (reason.code !== 'ConditionalCheckFailed' || role?.role !== 'idempotency') continue;
    const { member } = role;
    if (member.intent && !member.waiter) return { kind: 'drop-intent', intent: member.intent };
    if (member.intent) return { kind: 'drop-intent', intent: member.intent };
    const waiter = waiterOf(member);
    const delivery = reason.item ? replayFrom(ledger, waiter, reason.item) : await replayOf(ledger, waiter);
    const changed = new ContentionExhausted('the idempotency record changed while the request was planned; retry');
    return { kind: 'answered', waiter, delivery: delivery ?? waiter.failed(changed) };
  }
  return undefined;
}

/** The answer the caller's idempotency record keeps, if its key has a live one. */
export async function replayOf(ledger: Ledger, waiter: Waiter): Promise<Delivery | undefined> {
  const idem = waiter.op.idempotency;
  if (!idem) return undefined;
  const item = await ledger.table.get(keys.idempotency(waiter.op.accountId, idem.scope, idem.key));
  if (!item || !isLive(idempotencyRecordFromItem(item), ledger.nowMs())) return undefined;
  return replayFrom(ledger, waiter, item);
}

/** The answer in an idempotency record: its response, or the refusal of a key used for another request. */
function replayFrom(ledger: Ledger, waiter: Waiter, item: Item): Delivery {
  const idem = waiter.op.idempotency;
  assert(idem !== undefined, 'only an operation with a key replays');
  const record = idempotencyRecordFromItem(item);
  if (record.fingerprint !== idem.fingerprint)
    return waiter.failed(
      new IdempotencyKeyReused(`Idempotency-Key ${idem.key} was already used with a different request`),
    );
  ledger.stats.replays += 1;
  return waiter.replayed(record.response);
}

function waiterOf(candidate: Candidate): Waiter {
  if (!candidate.waiter)
    throw new AssertionError(`${candidate.op.name}: only another process's intent has no caller here`);
  return candidate.waiter;
}

function refusalOf(error: IoCreditsError): { code: ErrorCode; message: string } {
  return { code: error.code, message: error.message };
}

export function assertDistinctKeys(writes: readonly PlannedWrite[]): void {
  assert(writes.length <= MAX_TRANSACT_ITEMS, `transaction of ${writes.length} items is over the limit`);
  const seen = new Set<string>();
  for (const { item } of writes) {
    const key = keyOfWrite(item);
    const id = `${key.pk}|${key.sk}`;
    assert(!seen.has(id), `transaction touches ${id} twice`);
    seen.add(id);
  }
}
