// What a ledger is configured with: the defaults SPEC §5 names (grace period, negative
// allowance), how long idempotency keys replay, how lots are laid out on the account item, and how
// long an operation may wait for a busy account. Read by the draft and the engine alike.

import { MAX_LIVE_LOTS } from '../account.js';
import { DEFAULT_LOT_LAYOUT, type LotLayout } from '../items/account.js';
import { type Micros, micros } from '../money.js';
import { DAY_MS } from '../time.js';

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
  /** A withdrawal of more than this needs two different staff members' approvals (SPEC §14: 1,000.00). */
  dualApprovalAbove: Micros;
}

export const DEFAULT_CONFIG: LedgerConfig = {
  defaultAllowance: micros(10_000_000),
  gracePeriodMs: 300_000,
  idempotencyTtlMs: 7 * DAY_MS,
  lotLayout: DEFAULT_LOT_LAYOUT,
  maxLotsForGrants: MAX_LIVE_LOTS,
  maxWaitMs: 3_000,
  dualApprovalAbove: micros(1_000_000_000),
};
