// Monthly statements (SPEC §11): for an account and a UTC calendar month, the opening balance (what
// the last entry before the month recorded), the month's entries summed by section, and the closing
// balance (what the month's last entry recorded), with `opening + Σ sections = closing` exact in
// micros, asserted: a mismatch is a bug, never an answer.
//
// The month is read a page at a time, in commit order (entry keys sort by time, then commit sequence),
// and folded as it is read, so a month of 100,000 entries costs its pages' reads and no more memory
// than one page. The CSV reads the same pages (monthEntries).
//
// Expiry timing: a balance stops counting a lot at its expiry instant (account.isUsable), while the
// nightly run enters the `expiry` afterwards; an entry written in between records a balance without
// the expired credit and an amount that does not mention it, and the expiry entry then records an
// amount with no change of balance. Within a month the two cancel; when the instant and the entry
// fall in different months, the section `expiryTiming` says by how much (negative in the month the
// credit stopped counting, positive in the month its expiry was entered). Every entry's part in it is
// checked to be of that kind (a non-expiry entry may only lose credit that expired; an expiry entry
// may only give back what it records), so any other drift between amounts and balances fails.

import { assert } from '../assert.js';
import { type AccountProof, proofFor } from '../close/proof.js';
import type { DigestStore } from '../close/store.js';
import { InvalidRequest, NotFound } from '../errors.js';
import { ulidBounds } from '../ids.js';
import type { EntryType, LedgerEntry } from '../items/entry.js';
import { entryFromItem } from '../items/entry-read.js';
import { type Micros, micros, ZERO } from '../money.js';
import { DEFAULT_PRODUCT, type Product } from '../products.js';
import { isEntrySk, keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { utcDay } from '../time.js';
import type { Ledger } from './ledger.js';
import { balanceAt } from './queries.js';

export const STATEMENT_SECTIONS = [
  'purchases',
  'promotionalGrants',
  'refunds',
  'usage',
  'expiries',
  'withdrawals',
  'reversals',
  'adjustments',
] as const;
export type StatementSection = (typeof STATEMENT_SECTIONS)[number];

/**
 * Where each entry type is summed. A Record over every type: a new entry type does not compile until
 * it is given its section here. Withdrawal reversals (a rejected or cancelled withdrawal giving its
 * credit back) net against the withdrawals they undo.
 */
export const SECTION_OF: Record<EntryType, StatementSection> = {
  purchase: 'purchases',
  promotional_grant: 'promotionalGrants',
  refund: 'refunds',
  usage: 'usage',
  expiry: 'expiries',
  withdrawal: 'withdrawals',
  withdrawal_reversal: 'withdrawals',
  reversal: 'reversals',
  adjustment: 'adjustments',
};

/** A sum of entries: signed, as the entries record it. */
export interface Total {
  amount: Micros;
  count: number;
}

export interface StatementMonth {
  /** `YYYY-MM`. */
  month: string;
  startMs: number;
  /** The first instant of the next month. */
  endMs: number;
}

export interface Statement extends StatementMonth {
  accountId: string;
  /** The month is not over: the figures are up to `throughMs`. */
  partial: boolean;
  throughMs: number;
  opening: Micros;
  closing: Micros;
  sections: Record<StatementSection, Total>;
  /** Usage and refunds by product (SPEC §10); products without any are left out. */
  usageByProduct: Partial<Record<Product, Total>>;
  refundsByProduct: Partial<Record<Product, Total>>;
  /** Credit that stopped counting in one month and was entered as an expiry in another (see the header). */
  expiryTiming: Micros;
  entries: number;
}

/** What the PDF shows beyond the totals: usage by day and product, and the other entries one by one. */
export interface StatementDetail {
  usageByDay: { day: string; product: Product; amount: Micros; count: number }[];
  /** The month's entries other than usage, oldest first, at most MAX_LISTED_ENTRIES. */
  entries: LedgerEntry[];
  /** Entries other than usage beyond those listed. */
  unlisted: number;
}

/** Entries read per query page: DynamoDB answers at most 1 MB a page anyway. */
export const MONTH_PAGE_SIZE = 1_000;
/** Pages of one month read at most: 2,000,000 entries, far beyond any account's month. */
export const MAX_MONTH_PAGES = 2_000;
/** Entries other than usage a statement's detail lists one by one; the CSV has them all. */
export const MAX_LISTED_ENTRIES = 2_000;

const MONTH = /^(\d{4})-(\d{2})$/;

/** A month as a path names it: `YYYY-MM`, from 1970 on, and not after the month of `nowMs`. */
export function parseMonth(text: string, nowMs: number): StatementMonth {
  const match = MONTH.exec(text);
  const year = Number(match?.[1]);
  const monthIndex = Number(match?.[2]) - 1;
  if (!match || year < 1970 || monthIndex < 0 || monthIndex > 11)
    throw new InvalidRequest(`${text} is not a month: YYYY-MM, with MM from 01 to 12`);
  const startMs = Date.UTC(year, monthIndex, 1);
  if (startMs > nowMs) throw new InvalidRequest(`${text} has not begun: there is no statement for it yet`);
  return { month: text, startMs, endMs: Date.UTC(year, monthIndex + 1, 1) };
}

/** The last UTC day of the month (`YYYY-MM-DD`): its close makes the month closed. */
export function lastDayOf(month: StatementMonth): string {
  return utcDay(month.endMs - 1);
}

/**
 * The month's entries in commit order, a page at a time, from after `afterSk` (an entry key of
 * this month); `visit` returns false to stop. Bounded by MAX_MONTH_PAGES.
 */
export async function forEachMonthPage(
  ledger: Ledger,
  input: { accountId: string; month: StatementMonth; afterSk?: string; pageSize?: number },
  visit: (entries: LedgerEntry[], lastSk: string | undefined) => Promise<boolean | void> | boolean | void,
): Promise<void> {
  const pk = keys.accountPk(input.accountId);
  const { low, high } = ulidBounds(input.month.startMs, input.month.endMs - 1);
  if (input.afterSk !== undefined) {
    const within = isEntrySk(input.afterSk) && input.afterSk >= `TX#${low}` && input.afterSk <= `TX#${high}`;
    if (!within) throw new InvalidRequest('cursor is not valid');
  }
  let startKey: Item | undefined = input.afterSk === undefined ? undefined : { pk, sk: input.afterSk };
  for (let page = 0; page < MAX_MONTH_PAGES; page += 1) {
    const out = await ledger.table.meter.run('statement', () =>
      ledger.table.query({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
        ExpressionAttributeValues: { ':pk': pk, ':low': `TX#${low}`, ':high': `TX#${high}` },
        ScanIndexForward: true,
        Limit: input.pageSize ?? MONTH_PAGE_SIZE,
        ExclusiveStartKey: startKey,
      }),
    );
    const lastSk = out.items.length > 0 ? String(out.items.at(-1)!.sk) : undefined;
    if ((await visit(out.items.map(entryFromItem), out.lastKey ? lastSk : undefined)) === false) return;
    startKey = out.lastKey;
    if (!startKey) return;
  }
  assert(false, `a month of ${input.accountId} holds more than ${MAX_MONTH_PAGES} pages of entries`);
}

const none = (): Total => ({ amount: ZERO, count: 0 });

/** Sums the month as it is read; `detail` also keeps what the PDF lists. */
class Fold {
  readonly sections: Record<StatementSection, Total> = {
    purchases: none(),
    promotionalGrants: none(),
    refunds: none(),
    usage: none(),
    expiries: none(),
    withdrawals: none(),
    reversals: none(),
    adjustments: none(),
  };
  readonly usageByProduct: Partial<Record<Product, Total>> = {};
  readonly refundsByProduct: Partial<Record<Product, Total>> = {};
  readonly byDay = new Map<string, { day: string; product: Product; amount: Micros; count: number }>();
  readonly listed: LedgerEntry[] = [];
  unlisted = 0;
  expiryTiming = 0;
  entries = 0;
  balance: number;

  constructor(
    readonly opening: Micros,
    private readonly detail: boolean,
  ) {
    this.balance = opening;
  }

  add(entry: LedgerEntry): void {
    const section = this.sections[SECTION_OF[entry.type]];
    section.amount = micros(section.amount + entry.amount);
    section.count += 1;
    this.entries += 1;
    this.timing(entry);
    if (entry.type === 'usage' || entry.type === 'refund') {
      const product = entry.product ?? DEFAULT_PRODUCT;
      const byProduct = entry.type === 'usage' ? this.usageByProduct : this.refundsByProduct;
      const total = (byProduct[product] ??= { amount: ZERO, count: 0 });
      total.amount = micros(total.amount + entry.amount);
      total.count += 1;
    }
    if (this.detail) this.keep(entry);
  }

  /** The entry's part in expiry timing, checked to be of that kind (see the module's header). */
  private timing(entry: LedgerEntry): void {
    const drift = entry.balanceAfter - (this.balance + entry.amount);
    if (entry.type === 'expiry')
      assert(drift >= 0 && drift <= -entry.amount, `${entry.transactionId} gives back more than it expired`);
    else assert(drift <= 0, `${entry.transactionId} records ${drift} micros its amount does not account for`);
    this.expiryTiming += drift;
    this.balance = entry.balanceAfter;
  }

  private keep(entry: LedgerEntry): void {
    if (entry.type === 'usage') {
      const day = entry.createdAt.slice(0, 10);
      const product = entry.product ?? DEFAULT_PRODUCT;
      const group = this.byDay.get(`${day} ${product}`) ?? { day, product, amount: ZERO, count: 0 };
      group.amount = micros(group.amount + entry.amount);
      group.count += 1;
      this.byDay.set(`${day} ${product}`, group);
    } else if (this.listed.length < MAX_LISTED_ENTRIES) this.listed.push(entry);
    else this.unlisted += 1;
  }
}

export async function statementOf(
  ledger: Ledger,
  accountId: string,
  month: StatementMonth,
): Promise<Statement & { detail: StatementDetail }>;
export async function statementOf(
  ledger: Ledger,
  accountId: string,
  month: StatementMonth,
  options: { detail: false },
): Promise<Statement>;
/** The account's statement of `month`; with its detail unless told otherwise. */
export async function statementOf(
  ledger: Ledger,
  accountId: string,
  month: StatementMonth,
  options: { detail: boolean } = { detail: true },
): Promise<Statement & { detail?: StatementDetail }> {
  const nowMs = ledger.nowMs();
  assert(month.startMs <= nowMs, `${month.month} has begun`);
  const opening = (await balanceAt(ledger, accountId, month.startMs - 1)).balance;
  const fold = new Fold(opening, options.detail);
  await forEachMonthPage(ledger, { accountId, month }, (entries) => {
    for (const entry of entries) fold.add(entry);
  });
  const closing = micros(fold.balance);
  const summed = STATEMENT_SECTIONS.reduce((total, s) => total + fold.sections[s].amount, opening + fold.expiryTiming);
  assert(summed === closing, `${accountId} ${month.month}: opening + sections = ${summed}, closing = ${closing}`);
  const partial = nowMs < month.endMs;
  const statement: Statement = {
    ...month,
    accountId,
    partial,
    throughMs: partial ? nowMs : month.endMs,
    opening,
    closing,
    sections: fold.sections,
    usageByProduct: fold.usageByProduct,
    refundsByProduct: fold.refundsByProduct,
    expiryTiming: micros(fold.expiryTiming),
    entries: fold.entries,
  };
  if (!options.detail) return statement;
  const usageByDay = [...fold.byDay.values()].sort((a, b) =>
    a.day === b.day ? (a.product < b.product ? -1 : 1) : a.day < b.day ? -1 : 1,
  );
  return { ...statement, detail: { usageByDay, entries: fold.listed, unlisted: fold.unlisted } };
}

/** The month (`YYYY-MM`) of the account's first entry: where its statements begin; null when it has none. */
export async function firstMonthOf(ledger: Ledger, accountId: string): Promise<string | null> {
  const { items } = await ledger.table.meter.run('statement', () =>
    ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tx)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':tx': 'TX#' },
      ScanIndexForward: true,
      Limit: 1,
    }),
  );
  return items[0] ? entryFromItem(items[0]).createdAt.slice(0, 7) : null;
}

/** A closed month's proof (SPEC §12), or why there is none. */
export type StatementProof = { proof: AccountProof; reason: null } | { proof: null; reason: string };

/**
 * The proof of the month's last day (the same answer as GET /credits/proof?day=) when that day is
 * closed: its leaf is the account at the month's end, so its balance must be the statement's closing.
 */
export async function statementProof(store: DigestStore | undefined, statement: Statement): Promise<StatementProof> {
  if (statement.partial) return { proof: null, reason: 'the month is not over' };
  if (!store) return { proof: null, reason: 'no digests are published here' };
  const day = lastDayOf(statement);
  if (!(await store.digest(day))) return { proof: null, reason: `${day} has not been closed yet` };
  try {
    const proof = await proofFor(store, statement.accountId, day);
    assert(
      BigInt(proof.leaf.balanceMicros) === BigInt(statement.closing),
      `${statement.accountId} ${statement.month}: the digest of ${day} holds ${proof.leaf.balanceMicros}, ` +
        `the statement closes at ${statement.closing}`,
    );
    return { proof, reason: null };
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    assert(statement.closing === 0, `${statement.accountId} closes ${statement.month} with credit but has no leaf`);
    return { proof: null, reason: `the account had no entry before the cut-off of ${day}` };
  }
}
