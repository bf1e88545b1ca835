// What a handler needs from its environment: the ledger (table, clock, configuration) and the
// cursor secret. Built once per Lambda container from environment variables; the local server
// and tests install their own with `useRuntime`.

import { randomBytes } from 'node:crypto';
import { DEFAULT_CONFIG, Ledger, type LedgerConfig } from '../../core/ledger/ledger.js';
import { parseMicros } from '../../core/money.js';
import { LedgerTable } from '../../core/table/table.js';
import { ManualClock, systemClock, type Clock } from '../../core/time.js';

export interface Runtime {
  ledger: Ledger;
  /** Signs pagination cursors. */
  cursorSecret: string;
  /** Present only when the clock is manual (local mode with IO_CREDITS_CLOCK=manual). */
  manualClock?: ManualClock;
}

let current: Runtime | undefined;

export function useRuntime(runtime: Runtime): void {
  current = runtime;
}

export function runtime(): Runtime {
  current ??= runtimeFromEnv(process.env);
  return current;
}

export function configFromEnv(env: NodeJS.ProcessEnv): LedgerConfig {
  const grace = env.GRACE_PERIOD_SECONDS;
  const allowance = env.NEGATIVE_ALLOWANCE;
  if (grace !== undefined && !/^\d{1,6}$/.test(grace)) throw new Error(`GRACE_PERIOD_SECONDS must be whole seconds, got ${grace}`);
  return {
    ...DEFAULT_CONFIG,
    ...(grace !== undefined ? { gracePeriodMs: Number(grace) * 1000 } : {}),
    ...(allowance !== undefined ? { defaultAllowance: parseMicros(allowance, 'NEGATIVE_ALLOWANCE') } : {}),
  };
}

export function runtimeFromEnv(env: NodeJS.ProcessEnv, clock?: Clock): Runtime {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  const table = new LedgerTable({ tableName, endpoint: env.DYNAMODB_ENDPOINT });
  const manualClock = env.IO_CREDITS_CLOCK === 'manual' ? new ManualClock(Date.now()) : undefined;
  return {
    ledger: new Ledger(table, clock ?? manualClock ?? systemClock, configFromEnv(env)),
    cursorSecret: env.CURSOR_SECRET ?? randomBytes(32).toString('hex'),
    ...(manualClock ? { manualClock } : {}),
  };
}
