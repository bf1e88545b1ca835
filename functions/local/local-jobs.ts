// The local run's background work, standing in for EventBridge Scheduler and SQS: grace schedules
// kept in the table and fired by timers (or when the manual clock moves), the payment-outcomes
// queue in process, the sweep every minute, and the nightly expiry at 00:05 UTC. Never deployed.

import { ChargeEffects } from '../../core/effects.js';
import { handleGraceDeadline, type SweepResult, sweepOverdueCharges } from '../../core/grace/deadline.js';
import { LocalGraceScheduler } from '../../core/grace/local.js';
import type { Ledger } from '../../core/ledger/ledger.js';
import { LocalOutcomeQueue, LocalQueue } from '../../core/outcomes/local-queue.js';
import type { OutcomeMessage } from '../../core/outcomes/port.js';
import { OutcomePublisher } from '../../core/outcomes/publisher.js';
import { isManualClock } from '../../core/time.js';
import { runExpiryLocally, untilNextNightlyRun } from './local-expiry.js';

export const SWEEP_EVERY_MS = 60_000;

export interface LocalJobs {
  scheduler: LocalGraceScheduler;
  outcomes: LocalQueue<OutcomeMessage>;
  publisher: OutcomePublisher;
  sweep(): Promise<{ deadlines: SweepResult; outcomes: { found: number; sent: number; failed: number } }>;
  /** Fires the schedules that came due, then sweeps: what the manual clock runs when it moves. */
  afterClockMove(): Promise<void>;
  stop(): void;
}

/** Wires the local scheduler and queue into the ledger's after-commit effects and starts them. */
export async function startLocalJobs(
  ledger: Ledger,
  options: { onOutcome?: (message: OutcomeMessage) => Promise<void>; sweepEveryMs?: number } = {},
): Promise<LocalJobs> {
  const scheduler = new LocalGraceScheduler(ledger.table, ledger.clock, (event) => handleGraceDeadline(ledger, event));
  const outcomes = new LocalQueue<OutcomeMessage>({
    name: 'payment-outcomes',
    consumer: options.onOutcome ?? logOutcome,
  });
  const publisher = new OutcomePublisher(ledger, new LocalOutcomeQueue(outcomes));
  ledger.effects = new ChargeEffects(scheduler, publisher);

  const sweep = async () => ({ deadlines: await sweepOverdueCharges(ledger), outcomes: await publisher.sweep() });
  await scheduler.start();
  const timer = isManualClock(ledger.clock)
    ? undefined
    : setInterval(
        () =>
          void sweep().catch((error: unknown) =>
            console.error(JSON.stringify({ level: 'error', msg: 'local sweep failed', error: String(error) })),
          ),
        options.sweepEveryMs ?? SWEEP_EVERY_MS,
      );
  timer?.unref();
  let nightly: NodeJS.Timeout | undefined;
  const armNightly = () => {
    if (isManualClock(ledger.clock)) return;
    nightly = setTimeout(() => {
      void runExpiryLocally(ledger)
        .then((run) =>
          process.stdout.write(
            `nightly expiry: ${run.accounts} accounts, ${run.lots} lots, ${run.creditsExpired} credits ` +
              `expired, ${run.notices} notices\n`,
          ),
        )
        .catch((error: unknown) =>
          console.error(JSON.stringify({ level: 'error', msg: 'nightly expiry failed', error: String(error) })),
        )
        .finally(armNightly);
    }, untilNextNightlyRun(ledger.nowMs()));
    nightly.unref();
  };
  armNightly();
  return {
    scheduler,
    outcomes,
    publisher,
    sweep,
    afterClockMove: async () => {
      await scheduler.fireDue();
      await sweep();
    },
    stop: () => {
      scheduler.stop();
      if (timer) clearInterval(timer);
      if (nightly) clearTimeout(nightly);
    },
  };
}

async function logOutcome(message: OutcomeMessage): Promise<void> {
  process.stdout.write(
    `payment outcome: ${message.chargeId} ${message.status} ${message.amount} credits (deployment ` +
      `${message.deploymentId}, account ${message.accountId})\n`,
  );
}
