// The grace-deadline scheduler port: one one-time schedule per pending charge, firing the grace
// handler at the charge's deadline. Both operations are idempotent: scheduling a charge twice
// makes one schedule, cancelling one that is gone succeeds. The AWS adapter is EventBridge
// Scheduler (eventbridge.ts); the local one keeps schedules in the table (local.ts).

export interface GraceSchedule {
  accountId: string;
  chargeId: string;
  dueAtMs: number;
}

export interface GraceScheduler {
  schedule(schedule: GraceSchedule): Promise<void>;
  cancel(chargeId: string): Promise<void>;
}

/** What the schedule hands the grace handler when it fires. */
export interface GraceEvent {
  accountId: string;
  chargeId: string;
}

/** The schedule's name: deterministic, so a retried create can not make a second one (≤ 64 chars). */
export function scheduleName(chargeId: string): string {
  return `grace-${chargeId}`;
}
