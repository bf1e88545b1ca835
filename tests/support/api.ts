// The local server on a free port over its own table on the shared DynamoDB Local, with a
// manual clock and dev tokens, for tests that go through HTTP like a client would.

import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { DEFAULT_CONFIG, Ledger, LedgerTable, ManualClock, type LedgerConfig } from '../../core/index.js';
import { signDevToken } from '../../functions/local/dev-auth.js';
import { startLocalServer, type LocalServer } from '../../functions/local/server.js';
import { localPayments } from '../../functions/local/local-checkout.js';
import type { Payments } from '../../functions/http/payments.js';
import { T0 } from './ledger.js';

export interface Api {
  url: string;
  ledger: Ledger;
  clock: ManualClock;
  secret: string;
  server: LocalServer;
  payments: Payments;
  token(sub: string, scope?: string): Promise<string>;
  call(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any; text: string }>;
}

export async function startApi(config: Partial<LedgerConfig> = {}): Promise<Api> {
  const table = new LedgerTable({ tableName: `api-${randomUUID()}`, endpoint: inject('dynamoEndpoint') });
  await table.createIfMissing();
  const clock = new ManualClock(T0);
  const ledger = new Ledger(table, clock, { ...DEFAULT_CONFIG, ...config });
  const secret = randomBytes(16).toString('hex');
  const payments = localPayments({});
  const server = await startLocalServer({ runtime: { ledger, cursorSecret: randomBytes(16).toString('hex'), manualClock: clock }, payments, authSecret: secret, port: 0 });
  return {
    url: server.url,
    ledger,
    clock,
    secret,
    server,
    payments,
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
