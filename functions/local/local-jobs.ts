// The local run's background work, standing in for EventBridge Scheduler and SQS: grace schedules
// kept in the table and fired by timers (or when the manual clock moves), the payment-outcomes
// and webhook queues in process, the sweep every minute (and whenever the manual clock moves),
// and the nightly expiry at 00:05 UTC. Never deployed.

import { ChargeEffects } from '../../core/effects.js';
import { handleGraceDeadline, type SweepResult, sweepOverdueCharges } from '../../core/grace/deadline.js';
import { LocalGraceScheduler } from '../../core/grace/local.js';
import type { Ledger } from '../../core/ledger/ledger.js';
import { LocalOutcomeQueue, LocalQueue } from '../../core/outcomes/local-queue.js';
import type { OutcomeMessage } from '../../core/outcomes/port.js';
import { OutcomePublisher } from '../../core/outcomes/publisher.js';
import type { SavedCardCharger } from '../../core/payments/port.js';
import { sweepTopUps } from '../../core/payments/top-ups.js';
import { isManualClock } from '../../core/time.js';
import { LOCAL_POLICY } from '../../core/webhooks/address.js';
import { publishEvents, sweepDeliveries, sweepEvents, type WebhookMessage } from '../../core/webhooks/delivery.js';
import { handleWebhookMessage, LocalWebhookQueue } from '../../core/webhooks/queue.js';
import { HttpWebhookSender, type WebhookSender } from '../../core/webhooks/sender.js';
import { runExpiryLocally, untilNextNightlyRun } from './local-expiry.js';

export const SWEEP_EVERY_MS = 60_000;

export interface LocalJobs {
  scheduler: LocalGraceScheduler;
  outcomes: LocalQueue<OutcomeMessage>;
  publisher: OutcomePublisher;
  /** The webhook queue in process: events fanned out, deliveries attempted (drained() waits for them). */
  webhooks: LocalQueue<WebhookMessage>;
  webhookQueue: LocalWebhookQueue;
  webhookSender: WebhookSender;
  sweep(): Promise<{
    deadlines: SweepResult;
    outcomes: { found: number; sent: number; failed: number };
    events: number;
    deliveries: number;
    topUps: number;
  }>;
  /** Fires the schedules that came due, then sweeps: what the manual clock runs when it moves. */
  afterClockMove(): Promise<void>;
  stop(): void;
}

/** Wires the local scheduler and queue into the ledger's after-commit effects and starts them. */
export async function startLocalJobs(
  ledger: Ledger,
  options: {
    onOutcome?: (message: OutcomeMessage) => Promise<void>;
    sweepEveryMs?: number;
    /** Who sends webhook requests: by default Node's http client, which may reach loopback receivers. */
    webhookSender?: WebhookSender;
    /** Who charges saved cards for auto top-up (the local stand-in, or Stripe when its keys are set). */
    cards?: SavedCardCharger;
  } = {},
): Promise<LocalJobs> {
  const scheduler = new LocalGraceScheduler(ledger.table, ledger.clock, (event) => handleGraceDeadline(ledger, event));
  const outcomes = new LocalQueue<OutcomeMessage>({
    name: 'payment-outcomes',
    consumer: options.onOutcome ?? logOutcome,
  });
  const publisher = new OutcomePublisher(ledger, new LocalOutcomeQueue(outcomes));
  const webhookSender = options.webhookSender ?? new HttpWebhookSender(LOCAL_POLICY);
  const webhooks: LocalQueue<WebhookMessage> = new LocalQueue<WebhookMessage>({
    name: 'webhooks',
    consumer: (message) => handleWebhookMessage(ledger, webhookQueue, webhookSender, message, options.cards),
  });
  const webhookQueue = new LocalWebhookQueue(webhooks);
  ledger.effects = new ChargeEffects(
    scheduler,
    publisher,
    (events) => publishEvents(ledger, webhookQueue, events),
    (topUps) => webhookQueue.send(topUps.map((t) => ({ kind: 'topup', ...t }))),
  );

  const sweep = async () => ({
    deadlines: await sweepOverdueCharges(ledger),
    outcomes: await publisher.sweep(),
    events: await sweepEvents(ledger, webhookQueue),
    deliveries: await sweepDeliveries(ledger, (endpointId, deliveryId) =>
      webhookQueue.send([{ kind: 'delivery', endpointId, deliveryId }]),
    ),
    topUps: await sweepTopUps(ledger, (accountId, purchaseId) =>
      webhookQueue.send([{ kind: 'topup', accountId, purchaseId }]),
    ),
  });
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
    webhooks,
    webhookQueue,
    webhookSender,
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
