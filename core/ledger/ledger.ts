// A ledger: the table, the clock and the configuration every operation runs with, the figures of
// how its commits went (ContentionStats), and what runs after a commit (CommitEffects). The engine
// that commits an operation is commit.ts; this module holds only what the engine and every
// operation share, so nothing here imports either.

import { createHash } from 'node:crypto';
import type { WebhookEvent } from '../items/webhook.js';
import type { LedgerTable } from '../table/table.js';
import type { Clock } from '../time.js';
import { DEFAULT_CONFIG, type LedgerConfig } from './config.js';
import type { ChargeOutcome, Deadline } from './draft.js';
import { GlobalSubscribers } from './subscribers.js';

export { DEFAULT_CONFIG, type LedgerConfig } from './config.js';

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
  /** Charges this process left as intents after losing the account to another writer (intents.ts). */
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
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
