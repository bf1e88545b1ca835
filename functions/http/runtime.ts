// What a handler needs from its environment: the ledger (table, clock, configuration) and the
// cursor secret. Built once per Lambda container from environment variables; the local server
// hands each request its own on the Lambda context (LocalContext in handler.ts).

import { randomBytes } from 'node:crypto';
import type { DigestStore } from '../../core/close/store.js';
import { ChargeEffects } from '../../core/effects.js';
import { EventBridgeGraceScheduler } from '../../core/grace/eventbridge.js';
import type { WebhookEvent } from '../../core/items/webhook.js';
import { DEFAULT_CONFIG, Ledger, type LedgerConfig } from '../../core/ledger/ledger.js';
import { parseMicros } from '../../core/money.js';
import { OutcomePublisher } from '../../core/outcomes/publisher.js';
import { SqsOutcomeQueue } from '../../core/outcomes/sqs.js';
import type { PaymentsSource } from '../../core/reconcile/port.js';
import { LedgerTable } from '../../core/table/table.js';
import { type Clock, ManualClock, systemClock } from '../../core/time.js';
import type { AddressPolicy } from '../../core/webhooks/address.js';
import { publishEvents, type WebhookQueue } from '../../core/webhooks/publish.js';
import type { WebhookSender } from '../../core/webhooks/sender.js';
import { SqsWebhookQueue } from '../../core/webhooks/sqs.js';

export interface Runtime {
  ledger: Ledger;
  /**
   * Where webhook endpoints may point, and who sends to them: set by the local server; on Lambda
   * the events function and the webhook worker make their own (so no other bundle carries them).
   */
  webhooks?: { policy: AddressPolicy; sender: WebhookSender };
  /** The webhook queue on AWS (WEBHOOK_QUEUE_URL): what the worker and the sweep send to. */
  webhookQueue?: WebhookQueue;
  /** Signs pagination cursors (read only by the functions that page). */
  readonly cursorSecret: string;
  /** Present only when the clock is manual (local mode with IO_CREDITS_CLOCK=manual). */
  manualClock?: ManualClock;
  /** Publishes charge outcomes; absent where no queue is configured. */
  publisher?: OutcomePublisher;
  /** Local mode: what runs when the manual clock moves (due schedules, sweeps). */
  afterClockMove?: () => Promise<void>;
  /**
   * The daily digests (SPEC §12): S3 with Object Lock (DIGEST_BUCKET), or a folder (DIGEST_DIR) locally;
   * built by what reads or publishes them (digests.ts).
   */
  digests?: DigestStore;
  /**
   * What the daily close reconciles the ledger against (SPEC §12): each provider's list calls. Set
   * by the local server (the stand-ins, functions/local/provider-stand-ins.ts); on AWS built from
   * the keys by functions/http/payments-sources.ts.
   */
  paymentsSources?: PaymentsSource[];
}

let current: Runtime | undefined;

export function runtime(): Runtime {
  current ??= runtimeFromEnv(process.env);
  return current;
}

/** The next request builds the runtime again, from the environment as it is then (a rotated secret). */
export function forgetRuntime(): void {
  current = undefined;
}

export function configFromEnv(env: NodeJS.ProcessEnv): LedgerConfig {
  const grace = env.GRACE_PERIOD_SECONDS;
  const allowance = env.NEGATIVE_ALLOWANCE;
  const dualAbove = env.WITHDRAWAL_DUAL_APPROVAL_ABOVE;
  if (grace !== undefined && !/^\d{1,6}$/.test(grace))
    throw new Error(`GRACE_PERIOD_SECONDS must be whole seconds, got ${grace}`);
  return {
    ...DEFAULT_CONFIG,
    ...(grace !== undefined ? { gracePeriodMs: Number(grace) * 1000 } : {}),
    ...(allowance !== undefined ? { defaultAllowance: parseMicros(allowance, 'NEGATIVE_ALLOWANCE') } : {}),
    ...(dualAbove !== undefined ? { dualApprovalAbove: parseMicros(dualAbove, 'WITHDRAWAL_DUAL_APPROVAL_ABOVE') } : {}),
  };
}

export function runtimeFromEnv(env: NodeJS.ProcessEnv, clock?: Clock): Runtime {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  const table = new LedgerTable({ tableName, endpoint: env.DYNAMODB_ENDPOINT });
  const manualClock = env.IO_CREDITS_CLOCK === 'manual' ? new ManualClock(Date.now()) : undefined;
  const ledger = new Ledger(table, clock ?? manualClock ?? systemClock, configFromEnv(env));
  const publisher = env.PAYMENT_OUTCOMES_QUEUE_URL
    ? new OutcomePublisher(ledger, new SqsOutcomeQueue(env.PAYMENT_OUTCOMES_QUEUE_URL))
    : undefined;
  const scheduler = graceSchedulerFromEnv(env);
  const webhookQueue = env.WEBHOOK_QUEUE_URL ? new SqsWebhookQueue(env.WEBHOOK_QUEUE_URL) : undefined;
  const publishing = webhookQueue && ((events: WebhookEvent[]) => publishEvents(ledger, webhookQueue, events));
  // Auto top-ups' PaymentIntents are made by the webhook worker, never in the request that started them.
  const topUps =
    webhookQueue &&
    ((started: { accountId: string; purchaseId: string }[]) =>
      webhookQueue.send(started.map((t) => ({ kind: 'topup' as const, ...t }))));
  if (scheduler || publisher || publishing)
    ledger.effects = new ChargeEffects(scheduler, publisher, publishing, topUps);
  const cursorSecret = cursorSecretFrom(env);
  return {
    ledger,
    ...(webhookQueue ? { webhookQueue } : {}),
    get cursorSecret() {
      return cursorSecret();
    },
    ...(manualClock ? { manualClock } : {}),
    ...(publisher ? { publisher } : {}),
  };
}

/**
 * The key that signs pagination cursors. On Lambda it must come from its secret: a made-up one
 * would differ per container, so a cursor from one would be refused by the next. A function given
 * the secret (CURSOR_SECRET_ARN) refuses to start without its value; one not given it never pages,
 * and would fail only if it tried. Locally, with no secret configured, one is made up for the run.
 */
export function cursorSecretFrom(env: NodeJS.ProcessEnv): () => string {
  const configured = env.CURSOR_SECRET;
  if (configured) return () => configured;
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    const missing = new Error('CURSOR_SECRET is not set: the function needs its CURSOR_SECRET_ARN secret');
    if (env.CURSOR_SECRET_ARN) throw missing;
    return () => {
      throw missing;
    };
  }
  const madeUp = randomBytes(32).toString('hex');
  return () => madeUp;
}

/** EventBridge Scheduler for grace deadlines, when the deployment configured it. */
function graceSchedulerFromEnv(env: NodeJS.ProcessEnv): EventBridgeGraceScheduler | undefined {
  const { GRACE_SCHEDULE_GROUP: groupName, GRACE_TARGET_ARN: targetArn, GRACE_SCHEDULER_ROLE_ARN: roleArn } = env;
  if (!groupName && !targetArn && !roleArn) return undefined;
  if (!groupName || !targetArn || !roleArn)
    throw new Error('GRACE_SCHEDULE_GROUP, GRACE_TARGET_ARN and GRACE_SCHEDULER_ROLE_ARN are set together');
  return new EventBridgeGraceScheduler({ groupName, targetArn, roleArn });
}
