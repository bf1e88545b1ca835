// The close killed with SIGKILL (SPEC §12): a process closing a day and reconciling it is killed
// mid-run, again and again at other moments; the close run again then stores a report byte-equal
// to the one a close that was never interrupted stores, JSON and CSV.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { closeDays } from '../core/close/close.js';
import { LocalDigestStore } from '../core/close/store.js';
import { createPurchase } from '../core/ledger/purchases.js';
import { micros } from '../core/money.js';
import type { ProviderPayment } from '../core/reconcile/port.js';
import { reconcileStep } from '../core/reconcile/reconcile.js';
import { c, deploy, newLedger } from './support/ledger.js';
import { MemoryPayments } from './support/memory-payments.js';
import { buyCredits } from './support/purchases.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

const DAY = '2026-01-31';

function startClose(table: string, dir: string, nowMs: number, payments: ProviderPayment[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/support/close-loop.ts', inject('dynamoEndpoint'), table, dir, String(nowMs), DAY],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  child.stdin!.end(JSON.stringify(payments));
  const lines: string[] = [];
  const published = new Promise<void>((resolve) =>
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line === 'published') resolve();
    }),
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, lines, published, exited };
}

describe('the close killed with SIGKILL', () => {
  it('run again, it stores the same report, byte for byte', { timeout: 240_000 }, async () => {
    const { ledger, clock, table } = await newLedger();
    const stripe = new MemoryPayments('stripe', clock);
    const any = { min: micros(1), max: c('100000') };
    for (let i = 0; i < 40; i += 1) {
      const accountId = `kill-close-${i % 10}`;
      const bought = await buyCredits(ledger, accountId, c(String(5 + i)));
      if (i % 7 !== 0) stripe.pay(bought, c(String(5 + i + (i % 11 === 0 ? 1 : 0))));
      await deploy(ledger, accountId, '1.5');
      if (i % 5 === 0) {
        const lost = await createPurchase(ledger, { accountId, amount: c('9'), method: 'card', limits: any });
        stripe.pay(lost, c('9'));
      }
    }
    const nowMs = Date.UTC(2026, 1, 1, 0, 30);
    clock.set(nowMs);

    const reference = new LocalDigestStore(await mkdtemp(join(tmpdir(), 'close-reference-')));
    const step = reconcileStep({ table, store: reference, sources: [stripe] });
    await closeDays({ table, store: reference, nowMs, after: [step] }, DAY);

    const dir = await mkdtemp(join(tmpdir(), 'close-killed-'));
    let killedMidRun = 0;
    for (const delayMs of [0, 5, 20, 60, 150]) {
      const run = startClose(table.name, dir, nowMs, stripe.payments);
      await run.published;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      run.child.kill('SIGKILL');
      await run.exited;
      if (!run.lines.includes('done')) killedMidRun += 1;
    }
    expect(killedMidRun).toBeGreaterThan(0);

    const store = new LocalDigestStore(dir);
    await closeDays({ table, store, nowMs, after: [reconcileStep({ table, store, sources: [stripe] })] }, DAY);
    const json = await store.closeReport(DAY, 'json');
    expect(json).toBeDefined();
    expect(json).toBe(await reference.closeReport(DAY, 'json'));
    expect(await store.closeReport(DAY, 'csv')).toBe(await reference.closeReport(DAY, 'csv'));
    expect(JSON.parse(json!).categories.paidNotCredited).toHaveLength(8);
  });
});
