// The local server on a free port over its own table on the shared DynamoDB Local, with a
// manual clock and dev tokens, for tests that go through HTTP like a client would.

import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { DEFAULT_CONFIG, Ledger, type LedgerConfig, LedgerTable, ManualClock, systemClock } from '../../core/index.js';
import type { OutcomeMessage } from '../../core/outcomes/port.js';
import { createTableIfMissing } from '../../core/table/create.js';
import { LOCAL_POLICY } from '../../core/webhooks/address.js';
import type { Payments } from '../../functions/http/payments.js';
import type { Runtime } from '../../functions/http/runtime.js';
import { signDevToken } from '../../functions/local/dev-auth.js';
import { type LocalJobs, startLocalJobs } from '../../functions/local/local-jobs.js';
import { localPayments, standInsOf } from '../../functions/local/local-providers.js';
import { localPaymentsSources } from '../../functions/local/provider-stand-ins.js';
import { type LocalServer, startLocalServer } from '../../functions/local/server.js';
import { T0 } from './ledger.js';

export interface Api {
  url: string;
  ledger: Ledger;
  clock: ManualClock;
  secret: string;
  server: LocalServer;
  payments: Payments;
  jobs: LocalJobs;
  /** What the server's handlers run with (a test may hand it another digest store). */
  runtime: Runtime;
  /** Outcome messages delivered so far (with the default consumer). */
  outcomes: OutcomeMessage[];
  token(sub: string, scope?: string): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
}

/**
 * `systemClock`: real time and real timers (grace deadlines fire on their own); otherwise a manual
 * clock at T0 that moves by `api.clock` or POST /admin/test-clock. `onOutcome` stands in for the
 * deployment system reading the payment-outcomes queue (by default it records into `outcomes`).
 */
export async function startApi(
  options: {
    config?: Partial<LedgerConfig>;
    systemClock?: boolean;
    onOutcome?: (message: OutcomeMessage) => Promise<void>;
    /** The payment settings the server reads from its environment (PURCHASE_MAX_AMOUNT, …). */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<Api> {
  const table = new LedgerTable({ tableName: `api-${randomUUID()}`, endpoint: inject('dynamoEndpoint') });
  await createTableIfMissing(table);
  const manual = new ManualClock(T0);
  const ledger = new Ledger(table, options.systemClock ? systemClock : manual, {
    ...DEFAULT_CONFIG,
    ...options.config,
  });
  const secret = randomBytes(16).toString('hex');
  const payments = localPayments(options.env ?? {});
  const outcomes: OutcomeMessage[] = [];
  const jobs = await startLocalJobs(ledger, {
    ...(payments.cards ? { cards: payments.cards } : {}),
    onOutcome: options.onOutcome ?? (async (message) => void outcomes.push(message)),
  });
  const runtime: Runtime = {
    ledger,
    cursorSecret: randomBytes(16).toString('hex'),
    webhooks: { policy: LOCAL_POLICY, sender: jobs.webhookSender },
    afterClockMove: jobs.afterClockMove,
    ...(options.systemClock ? {} : { manualClock: manual }),
  };
  const server = await startLocalServer({ runtime, payments, authSecret: secret, port: 0 });
  runtime.paymentsSources = localPaymentsSources(standInsOf(payments), {});
  return {
    url: server.url,
    ledger,
    clock: manual,
    secret,
    server,
    payments,
    jobs,
    runtime,
    outcomes,
    token: (sub, scope) => signDevToken(secret, sub, scope),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${server.url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
  };
}
