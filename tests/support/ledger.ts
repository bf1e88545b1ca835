// A fresh ledger per test file: its own table on the shared DynamoDB Local, a manual clock,
// and helpers that read the whole account back and check SPEC §3's invariants.

import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect, inject } from 'vitest';
import {
  type AccountState,
  balanceOf,
  charge,
  chargeDebtOf,
  consumptionKey,
  DEFAULT_CONFIG,
  debtOf,
  isProduct,
  Ledger,
  type LedgerConfig,
  LedgerTable,
  ManualClock,
  type Micros,
} from '../../core/index.js';
import { loadAccount } from '../../core/items/account.js';
import type { Actor } from '../../core/items/audit.js';
import { addItem } from '../../core/proof/records.js';
import { Book, firstBreak } from '../../core/proof/verify.js';
import { createTableIfMissing } from '../../core/table/create.js';
import { keys } from '../../core/table/keys.js';
import type { Item } from '../../core/table/table.js';

/** 2026-01-31T12:00:00Z, a month end, so calendar arithmetic is exercised by default. */
export const T0 = Date.UTC(2026, 0, 31, 12, 0, 0);

/** A member of the finance team, as their token names them (SPEC §14). */
export const FINANCE: Actor = { sub: 'finance', scope: 'credits:admin' };
/** Another member, for a withdrawal above the dual-approval threshold. */
export const FINANCE_2: Actor = { sub: 'finance-2', scope: 'credits:admin' };

export async function newLedger(
  config: Partial<LedgerConfig> = {},
): Promise<{ ledger: Ledger; clock: ManualClock; table: LedgerTable }> {
  const table = new LedgerTable({ tableName: `test-${randomUUID()}`, endpoint: inject('dynamoEndpoint') });
  await createTableIfMissing(table);
  const clock = new ManualClock(T0);
  return { ledger: new Ledger(table, clock, { ...DEFAULT_CONFIG, ...config }), clock, table };
}

export function c(credits: string): Micros {
  const [whole = '0', fraction = ''] = credits.replace('-', '').split('.');
  const value = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
  return (credits.startsWith('-') ? -value : value) as Micros;
}

export async function accountItems(table: LedgerTable, accountId: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  for (let page = 0; page < 1000; page += 1) {
    const out = await table.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId) },
      ExclusiveStartKey: startKey,
    });
    items.push(...out.items);
    startKey = out.lastKey;
    if (!startKey) break;
  }
  return items;
}

export interface AccountSnapshot {
  state: AccountState;
  entries: Item[];
  lots: Item[];
  charges: Item[];
  withdrawals: Item[];
  ledgerSum: number;
}

export async function snapshot(table: LedgerTable, accountId: string): Promise<AccountSnapshot> {
  const items = await accountItems(table, accountId);
  const of = (type: string) => items.filter((item) => item.itemType === type);
  const entries = of('entry');
  return {
    state: await loadAccount(table, accountId),
    entries,
    lots: of('lot'),
    charges: of('charge'),
    withdrawals: of('withdrawal'),
    ledgerSum: entries.reduce((total, e) => total + (e.amount as number), 0),
  };
}

/**
 * SPEC §3 invariants 1, 2 and 4 on the stored account. `expiriesApplied` says the caller has
 * run the expiry for the current time, so the ledger sum must equal the balance exactly.
 */
export async function expectInvariants(
  ledger: Ledger,
  accountId: string,
  options: { expiriesApplied?: boolean } = {},
): Promise<AccountSnapshot> {
  const snap = await snapshot(ledger.table, accountId);
  const { state } = snap;
  const now = ledger.nowMs();
  const usable = state.lots.filter((l) => l.remaining > 0 && (l.expiresAtMs === null || l.expiresAtMs > now));
  const balance = balanceOf(state, now);
  // 1. balance == Σ remaining of unexpired lots − debt, and == Σ ledger amounts once expiries are applied.
  expect(balance).toBe(usable.reduce((t, l) => t + l.remaining, 0) - debtOf(state));
  if (options.expiriesApplied) expect(snap.ledgerSum).toBe(balance);
  else {
    const expiredButUnprocessed = state.lots
      .filter((l) => l.expiresAtMs !== null && l.expiresAtMs <= now)
      .reduce((t, l) => t + l.remaining, 0);
    expect(snap.ledgerSum).toBe(balance + expiredButUnprocessed);
  }
  // 2. 0 ≤ remaining ≤ amount; debt ≥ 0; debt ≤ allowance except after a reversal.
  const lotItems = new Map(snap.lots.map((l) => [l.lotId as string, l]));
  for (const lot of state.lots) {
    expect(lot.remaining).toBeGreaterThanOrEqual(0);
    expect(lot.remaining).toBeLessThanOrEqual(lot.amount);
    expect(lotItems.get(lot.lotId)?.amount, `lot ${lot.lotId} has its lot item`).toBe(lot.amount);
  }
  const debt = debtOf(state);
  const allowance = state.allowance ?? ledger.config.defaultAllowance;
  expect(debt).toBeGreaterThanOrEqual(0);
  expect(chargeDebtOf(state), 'debt from charges never exceeds the allowance').toBeLessThanOrEqual(allowance);
  if (!state.flagged) expect(debt).toBeLessThanOrEqual(allowance);
  // 4. Only purchased credit is withdrawn.
  for (const w of snap.withdrawals) {
    for (const a of w.allocations as { kind: string }[]) expect(a.kind).toBe('purchased');
  }
  // A heavy account's overflow items agree with the summary on its account item, and every lot on
  // the account item comes before every overflow lot in consumption order.
  const accountItem = (await ledger.table.get(keys.account(accountId))) ?? {};
  const summary = accountItem.overflow as
    | { count: number; purchased: number; promotional: number; firstKey: string }
    | undefined;
  const stored = (await accountItems(ledger.table, accountId)).filter((item) => item.itemType === 'overflowLot');
  expect(stored.length, 'overflow items counted on the account item').toBe(summary?.count ?? 0);
  if (summary) {
    const sumOf = (kind: string) =>
      stored.filter((i) => i.kind === kind).reduce((t, i) => t + (i.remaining as number), 0);
    expect({ purchased: sumOf('purchased'), promotional: sumOf('promotional') }).toEqual({
      purchased: summary.purchased,
      promotional: summary.promotional,
    });
    expect(String(stored[0]!.sk)).toBe(`OVF#${summary.firstKey}`);
    const inlineKeys = (accountItem.lots as [string, string, number, number, number, (number | null)?, string?][]).map(
      ([lotId, kind, , , expiresAtMs, , products]) =>
        consumptionKey({
          lotId,
          kind: kind === 'p' ? 'purchased' : 'promotional',
          expiresAtMs: expiresAtMs === -1 ? null : expiresAtMs,
          ...(products ? { products: products.split(',').filter(isProduct) } : {}),
        }),
    );
    for (const key of inlineKeys)
      expect(key < summary.firstKey, `${key} on the account item sorts before the overflow lots`).toBe(true);
    for (const item of stored) expect(item.remaining as number).toBeGreaterThan(0);
  }
  overflowSeen.max = Math.max(overflowSeen.max, stored.length);
  // Ledger entries are a gap-free sequence whose balanceAfter chain is consistent.
  const ordered = [...snap.entries].sort((a, b) => ((a.sk as string) < (b.sk as string) ? -1 : 1));
  expect(ordered.length).toBe(state.entryCount);
  // SPEC §12: the entries are one hash chain in commit order, and the account item names its head.
  const book = new Book();
  for (const item of [accountItem, ...ordered]) addItem(book, item);
  expect(firstBreak(accountId, book.chainOf(accountId), book.heads.get(accountId)), 'the chain holds').toBeNull();
  return snap;
}

/** The most overflow items any checked account had: lets a test show it reached overflow at all. */
export const overflowSeen = { max: 0 };

/** Every item of the table, sorted by key: to show that a refused request changed nothing. */
export async function wholeTable(table: LedgerTable): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  for (let page = 0; page < 100; page += 1) {
    const out = await table.client.send(
      new ScanCommand({ TableName: table.name, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...((out.Items ?? []) as Item[]));
    startKey = out.LastEvaluatedKey as Item | undefined;
    if (!startKey) break;
  }
  return items.sort((a, b) => `${String(a.pk)}|${String(a.sk)}`.localeCompare(`${String(b.pk)}|${String(b.sk)}`));
}

let deployments = 0;

/** A deployment charged `amount` credits, with a key and deployment id of its own. */
export function deploy(ledger: Ledger, accountId: string, amount: string) {
  deployments += 1;
  return charge(ledger, {
    accountId,
    deploymentId: `dep-${process.pid}-${deployments}`,
    amount: c(amount),
    description: 'GPU time',
    idempotencyKey: `deploy-${process.pid}-${deployments}`,
  });
}
