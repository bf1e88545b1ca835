// Monthly statements (SPEC §11) on DynamoDB Local: for any history, each month opens where the one
// before closed, opening + sections = closing exactly, and the CSV's rows add up to the same; the
// current month is partial; a closed month carries a proof that verifies; nobody reads another
// account's statement.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { extractText, getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchWrite } from '../bench/seed.js';
import { closeDays } from '../core/close/close.js';
import { LocalDigestStore } from '../core/close/store.js';
import {
  type ChargeResult,
  charge,
  DAY_MS,
  expireDueLots,
  grantPromotional,
  IoCreditsError,
  type Ledger,
  type Micros,
  PRODUCTS,
  type Product,
  refund,
  rejectWithdrawal,
  requestWithdrawal,
} from '../core/index.js';
import { lastDayOf, parseMonth, STATEMENT_SECTIONS, statementOf } from '../core/ledger/statements.js';
import { STATEMENT_CSV_ROWS } from '../functions/receipts.js';
import { proofs } from '../sdk/src/index.js';
import { type Api, startApi } from './support/api.js';
import { accountItems, c, FINANCE } from './support/ledger.js';
import { type Bought, buyCredits, providerRefunds } from './support/purchases.js';
import { monthOfEntries } from './support/statement-month.js';
import { WALLET } from './support/wallet.js';

const HOUR_MS = 3_600_000;

/** The entry types each section sums (SPEC §11's lines over SPEC §3's types). */
const SECTION_TYPES: Record<(typeof STATEMENT_SECTIONS)[number], string[]> = {
  purchases: ['purchase'],
  promotionalGrants: ['promotional_grant'],
  refunds: ['refund'],
  usage: ['usage'],
  expiries: ['expiry'],
  withdrawals: ['withdrawal', 'withdrawal_reversal'],
  reversals: ['reversal'],
  adjustments: ['adjustment'],
};

/** RFC 4180 rows (the export quotes fields holding commas, quotes or line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += ch;
  }
  return rows;
}

/** Decimal credits as the API writes them, to micros, exactly (no float). */
function microsOf(text: string): number {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const value = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
  return negative ? -value : value;
}

/** The months from `first` to `last` (YYYY-MM), both included. */
function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let [year, month] = first.split('-').map(Number) as [number, number];
  for (let i = 0; i < 1000; i += 1) {
    const text = `${year}-${String(month).padStart(2, '0')}`;
    months.push(text);
    if (text === last) return months;
    month += 1;
    if (month === 13) {
      year += 1;
      month = 1;
    }
  }
  throw new Error(`${first} to ${last} is too long`);
}

type Step =
  | { kind: 'wait'; minutes: number }
  | { kind: 'toMonthEnd'; minutesBefore: number }
  | { kind: 'buy'; cents: number }
  | { kind: 'grant'; cents: number; expiresInHours: number | null }
  | { kind: 'charge'; micros: number; product: Product }
  | { kind: 'refund'; which: number; percent: number }
  | { kind: 'withdraw'; cents: number; reject: boolean }
  | { kind: 'providerRefund'; which: number; cents: number }
  | { kind: 'nightly' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('wait'), minutes: fc.integer({ min: 1, max: 60 * 24 * 20 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('toMonthEnd'), minutesBefore: fc.integer({ min: 1, max: 180 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('buy'), cents: fc.integer({ min: 500, max: 20_000 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('grant'),
      cents: fc.integer({ min: 100, max: 5_000 }),
      expiresInHours: fc.option(fc.integer({ min: 1, max: 24 * 40 }), { nil: null }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('charge'),
      micros: fc.integer({ min: 1, max: 40_000_000 }),
      product: fc.constantFrom(...PRODUCTS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('refund'),
      which: fc.nat(),
      percent: fc.integer({ min: 1, max: 100 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('withdraw'),
      cents: fc.integer({ min: 100, max: 5_000 }),
      reject: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('providerRefund'),
      which: fc.nat(),
      cents: fc.integer({ min: 100, max: 20_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('nightly') }) },
);

interface History {
  accountId: string;
  charges: Extract<ChargeResult, { status: 'paid' }>[];
  bought: Bought[];
  refunded: Map<string, number>;
  seq: number;
}

/** Runs one step on the account; a refusal the ledger answers with a domain error is part of the history. */
async function apply(api: Api, history: History, s: Step): Promise<void> {
  const { ledger } = api;
  const { accountId } = history;
  history.seq += 1;
  const key = `${accountId}-${history.seq}`;
  try {
    if (s.kind === 'wait') api.clock.advance(s.minutes * 60_000);
    else if (s.kind === 'toMonthEnd') {
      // Close to a month's end, where a month's last entries and expiries entered late are.
      const now = new Date(api.ledger.nowMs());
      const target = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - s.minutesBefore * 60_000;
      if (target > api.ledger.nowMs()) api.clock.set(target);
    } else if (s.kind === 'buy')
      history.bought.push(await buyCredits(ledger, accountId, c((s.cents / 100).toFixed(2))));
    else if (s.kind === 'grant')
      await grantPromotional(ledger, {
        accountId,
        amount: c((s.cents / 100).toFixed(2)),
        expiresAtMs: s.expiresInHours === null ? null : ledger.nowMs() + s.expiresInHours * HOUR_MS,
        description: 'Welcome credit',
        actor: FINANCE,
      });
    else if (s.kind === 'charge') {
      const result = await charge(ledger, {
        accountId,
        deploymentId: `dep-${key}`,
        product: s.product,
        amount: s.micros as Micros,
        idempotencyKey: key,
      });
      if (result.status === 'paid') history.charges.push(result);
    } else if (s.kind === 'refund') await refundSome(ledger, history, s, key);
    else if (s.kind === 'withdraw') {
      const withdrawal = await requestWithdrawal(ledger, {
        accountId,
        amount: c((s.cents / 100).toFixed(2)),
        destination: WALLET,
      });
      if (s.reject) await rejectWithdrawal(ledger, withdrawal.withdrawalId, 'not this time', FINANCE);
    } else if (s.kind === 'providerRefund' && history.bought.length > 0) {
      const bought = history.bought[s.which % history.bought.length]!;
      await providerRefunds(ledger, bought, c((s.cents / 100).toFixed(2)));
    } else if (s.kind === 'nightly') await expireDueLots(ledger, accountId);
  } catch (error) {
    if (!(error instanceof IoCreditsError)) throw error;
  }
}

async function refundSome(ledger: Ledger, history: History, s: Extract<Step, { kind: 'refund' }>, key: string) {
  if (history.charges.length === 0) return;
  const paid = history.charges[s.which % history.charges.length]!;
  const left = paid.amount - (history.refunded.get(paid.chargeId) ?? 0);
  const amount = Math.floor((left * s.percent) / 100);
  if (amount <= 0) return;
  await refund(ledger, {
    accountId: history.accountId,
    chargeId: paid.chargeId,
    amount: amount as Micros,
    idempotencyKey: key,
  });
  history.refunded.set(paid.chargeId, (history.refunded.get(paid.chargeId) ?? 0) + amount);
}

/** The statement's CSV, every part of it, over HTTP. */
async function csvOf(api: Api, token: string, month: string): Promise<string[][]> {
  const rows: string[][] = [];
  let cursor: string | null = null;
  for (let part = 0; part < 100; part += 1) {
    const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await api.call('GET', `/credits/statements/${month}?format=csv${query}`, { token });
    expect(response.status, response.text).toBe(200);
    const [header, ...body] = parseCsv(response.text);
    expect(header?.slice(0, 4)).toEqual(['transactionId', 'type', 'category', 'amount']);
    rows.push(...body);
    cursor = response.headers.get('x-next-cursor');
    if (!cursor) return rows;
  }
  throw new Error('more than 100 parts');
}

describe('statements over any history', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });

  it('each month opens at the last one’s close, sums exactly to its close, and its CSV adds up the same', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
        run += 1;
        const history: History = { accountId: `stmt-${run}`, charges: [], bought: [], refunded: new Map(), seq: 0 };
        for (const s of steps) await apply(api, history, s);
        const token = await api.token(history.accountId);
        const entries = (await accountItems(api.ledger.table, history.accountId)).filter((i) => i.itemType === 'entry');
        const now = new Date(api.ledger.nowMs()).toISOString().slice(0, 7);
        const first =
          entries.length > 0 ? String(entries.map((e) => e.createdAt as string).sort()[0]).slice(0, 7) : now;
        let previousClosing = 0;
        let counted = 0;
        for (const month of monthsBetween(first, now)) {
          const statement = await statementOf(api.ledger, history.accountId, parseMonth(month, api.ledger.nowMs()), {
            detail: false,
          });
          expect(statement.opening, `${month} opens where the month before closed`).toBe(previousClosing);
          const sections = STATEMENT_SECTIONS.reduce((t, s) => t + statement.sections[s].amount, 0);
          expect(statement.opening + sections + statement.expiryTiming).toBe(statement.closing);
          expect(statement.partial).toBe(month === now);
          counted += statement.entries;
          const rows = await csvOf(api, token, month);
          const entryRows = rows.filter((r) => r[1] !== 'statement');
          const totals = new Map(rows.filter((r) => r[1] === 'statement').map((r) => [r[6], microsOf(r[3]!)]));
          expect(entryRows).toHaveLength(statement.entries);
          const csvSum = entryRows.reduce((t, r) => t + microsOf(r[3]!), 0);
          expect(csvSum + (totals.get('expiry_timing') ?? 0)).toBe(statement.closing - statement.opening);
          expect(totals.get('opening_balance')).toBe(statement.opening);
          expect(totals.get('closing_balance')).toBe(statement.closing);
          for (const s of STATEMENT_SECTIONS) {
            expect(totals.get(s)).toBe(statement.sections[s].amount);
            const ofSection = entryRows.filter((r) => SECTION_TYPES[s].includes(r[1]!));
            expect(
              ofSection.reduce((t, r) => t + microsOf(r[3]!), 0),
              `${month} ${s}`,
            ).toBe(statement.sections[s].amount);
            expect(ofSection.length).toBe(statement.sections[s].count);
          }
          previousClosing = statement.closing;
        }
        expect(counted, 'every entry is in exactly one month').toBe(entries.length);
        const last = entries.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1)).at(-1);
        expect(previousClosing).toBe(last ? (last.balanceAfter as number) : 0);
      }),
      { numRuns: Number(process.env.STATEMENT_RUNS ?? 12) },
    );
  });

  it('credit that expires at the end of a month and is entered the next is shown in both months', async () => {
    const accountId = 'stmt-straddle';
    api.clock.set(Date.UTC(2027, 0, 30, 12));
    await buyCredits(api.ledger, accountId, c('20.00'));
    await grantPromotional(api.ledger, {
      accountId,
      amount: c('5.00'),
      expiresAtMs: Date.UTC(2027, 0, 31, 20),
      description: 'Short promotion',
      actor: FINANCE,
    });
    api.clock.set(Date.UTC(2027, 0, 31, 22));
    await charge(api.ledger, { accountId, deploymentId: 'late', amount: c('1.00'), idempotencyKey: 'straddle-1' });
    api.clock.set(Date.UTC(2027, 1, 1, 0, 5));
    expect((await expireDueLots(api.ledger, accountId)).amountExpired).toBe(c('5.00'));
    api.clock.set(Date.UTC(2027, 1, 10));
    const january = await statementOf(api.ledger, accountId, parseMonth('2027-01', api.ledger.nowMs()));
    expect(january).toMatchObject({ opening: 0, closing: c('19.00'), expiryTiming: -c('5.00') });
    expect(january.sections.expiries).toEqual({ amount: 0, count: 0 });
    const february = await statementOf(api.ledger, accountId, parseMonth('2027-02', api.ledger.nowMs()));
    expect(february).toMatchObject({ opening: c('19.00'), closing: c('19.00'), expiryTiming: c('5.00') });
    expect(february.sections.expiries).toEqual({ amount: -c('5.00'), count: 1 });
    expect(february.partial).toBe(true);
  });
});

describe('GET /credits/statements/{month}', () => {
  let api: Api;
  let store: LocalDigestStore;
  beforeAll(async () => {
    api = await startApi();
    store = new LocalDigestStore(await mkdtemp(join(tmpdir(), 'statement-digests-')));
    api.runtime.digests = store;
  });

  const get = async (path: string, sub = 'stmt-owner', scope?: string) =>
    api.call('GET', path, { token: await api.token(sub, scope) });

  it('the current month is partial, through now; the months before the first entry are zeros', async () => {
    // T0 is 2026-01-31T12:00Z.
    await buyCredits(api.ledger, 'stmt-owner', c('50.00'));
    await charge(api.ledger, {
      accountId: 'stmt-owner',
      deploymentId: 'vm-1',
      product: 'vm',
      amount: c('12.345678'),
      idempotencyKey: 'stmt-owner-1',
    });
    const current = await get('/credits/statements/2026-01');
    expect(current.status, current.text).toBe(200);
    expect(current.body).toMatchObject({
      month: '2026-01',
      partial: true,
      through: '2026-01-31T12:00:00.000Z',
      openingBalance: '0.00',
      closingBalance: '37.654322',
      entries: 2,
      firstMonth: '2026-01',
      proof: null,
      proofReason: 'the month is not over',
    });
    expect(current.body.sections.purchases).toEqual({ amount: '50.00', count: 1 });
    expect(current.body.sections.usage).toEqual({
      amount: '-12.345678',
      count: 1,
      byProduct: { vm: { amount: '-12.345678', count: 1 } },
    });
    const before = await get('/credits/statements/2025-06');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ partial: false, openingBalance: '0.00', closingBalance: '0.00', entries: 0 });
  });

  it.each([
    ['2026-13', 400],
    ['2026-00', 400],
    ['1969-12', 400],
    ['2026-02', 400],
    ['2030-01', 400],
    ['abc', 404],
    ['2026-1', 404],
  ])('%s is refused with %i, and nothing is read for it', async (month, status) => {
    const response = await get(`/credits/statements/${month}`);
    expect(response.status, response.text).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it("someone else's statement: 403 with their accountId, and only staff may name one", async () => {
    const snoop = await get('/credits/statements/2026-01?accountId=stmt-owner', 'stmt-snoop');
    expect(snoop.status).toBe(403);
    const csv = await get('/credits/statements/2026-01?format=csv&accountId=stmt-owner', 'stmt-snoop');
    expect(csv.status).toBe(403);
    const own = await get('/credits/statements/2026-01', 'stmt-snoop');
    expect(own.body).toMatchObject({ accountId: 'stmt-snoop', entries: 0, closingBalance: '0.00' });
    const finance = await get('/credits/statements/2026-01?accountId=stmt-owner', 'finance', 'credits:admin');
    expect(finance.status).toBe(200);
    expect(finance.body).toMatchObject({ accountId: 'stmt-owner', closingBalance: '37.654322' });
    // A cursor signed for one account is refused for another.
    const stolen = await get('/credits/statements/2026-01?format=csv&cursor=abc.def', 'stmt-snoop');
    expect(stolen.status).toBe(400);
    const jsonCursor = await get('/credits/statements/2026-01?cursor=abc.def');
    expect(jsonCursor.status).toBe(400);
  });

  it('a closed month carries the proof of its last day, which verifies and holds the closing balance', async () => {
    api.clock.set(Date.UTC(2026, 1, 1, 0, 30));
    const lastDay = lastDayOf(parseMonth('2026-01', api.ledger.nowMs()));
    expect(lastDay).toBe('2026-01-31');
    const notClosed = await get('/credits/statements/2026-01');
    expect(notClosed.body).toMatchObject({
      partial: false,
      proof: null,
      proofReason: '2026-01-31 has not been closed yet',
    });
    await closeDays({ table: api.ledger.table, store, nowMs: api.ledger.nowMs() }, lastDay);
    const closed = await get('/credits/statements/2026-01');
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body.proofReason).toBeNull();
    const proof = await get(`/credits/proof?day=${lastDay}`);
    expect(closed.body.proof).toEqual(proof.body);
    const verified = await proofs.verify(closed.body.proof);
    expect(verified).toMatchObject({ valid: true, day: lastDay, accountId: 'stmt-owner' });
    expect(verified.valid && verified.balanceMicros).toBe(BigInt(c('37.654322')));
    const never = await get('/credits/statements/2026-01', 'stmt-never');
    expect(never.body).toMatchObject({
      proof: null,
      proofReason: 'the account had no entry before the cut-off of 2026-01-31',
    });
  });

  it('as a PDF: the month, the closing balance and the proof in its text, Inter embedded, A4', async () => {
    const response = await fetch(`${api.url}/credits/statements/2026-01?format=pdf`, {
      headers: { authorization: `Bearer ${await api.token('stmt-owner')}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="statement-2026-01.pdf"');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const { text } = await extractText(await getDocumentProxy(bytes.slice()), { mergePages: true });
    for (const expected of ['Statement 2026-01', 'Closing balance', '$37.654322', 'Opening balance', 'VMs'])
      expect(text).toContain(expected);
    expect(text).toContain('Your balance of $37.654322 is included in the published total of $');
    expect(text).toContain('Digest of 2026-01-31');
    const raw = Buffer.from(bytes).toString('latin1');
    expect(raw).toMatch(/\/FontFile[23]?/);
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);
    expect(raw).toContain('/MediaBox [ 0 0 595.28 841.89 ]');
    const accepted = await fetch(`${api.url}/credits/statements/2026-01`, {
      headers: { authorization: `Bearer ${await api.token('stmt-owner')}`, accept: 'application/pdf' },
    });
    expect(accepted.headers.get('content-type')).toBe('application/pdf');
  });

  it('a long month renders on many pages, usage grouped by day and product', async () => {
    const accountId = 'stmt-busy';
    api.clock.set(Date.UTC(2026, 2, 1, 1));
    await buyCredits(api.ledger, accountId, c('10000.00'));
    for (let day = 0; day < 20; day += 1) {
      for (let i = 0; i < 3; i += 1)
        await charge(api.ledger, {
          accountId,
          deploymentId: `busy-${day}-${i}`,
          product: PRODUCTS[i]!,
          amount: c('1.25'),
          idempotencyKey: `busy-${day}-${i}`,
        });
      await buyCredits(api.ledger, accountId, c('5.00'));
      api.clock.advance(DAY_MS);
    }
    const statement = await statementOf(api.ledger, accountId, parseMonth('2026-03', api.ledger.nowMs()));
    expect(statement.detail.usageByDay).toHaveLength(60);
    expect(statement.detail.entries).toHaveLength(21);
    const response = await fetch(`${api.url}/credits/statements/2026-03?format=pdf`, {
      headers: { authorization: `Bearer ${await api.token(accountId)}` },
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const pdf = await getDocumentProxy(bytes.slice());
    expect(pdf.numPages).toBeGreaterThan(1);
    const { text } = await extractText(pdf, { mergePages: true });
    expect(text).toContain(`page ${pdf.numPages} of ${pdf.numPages}`);
    expect(text).toContain('2026-03-20');
    expect(text).toContain('$10,025.00');
  });
});

describe('a month of more entries than one CSV part holds', () => {
  it('comes in parts joined by a signed cursor, totals at the end of the last; its rows add up to it', async () => {
    const api = await startApi();
    const may = Date.UTC(2026, 4, 1);
    await batchWrite(api.ledger.table, monthOfEntries('stmt-heavy', may, STATEMENT_CSV_ROWS + 500));
    api.clock.set(Date.UTC(2026, 5, 10));
    const token = await api.token('stmt-heavy');
    const first = await api.call('GET', '/credits/statements/2026-05?format=csv', { token });
    expect(first.status, first.text).toBe(200);
    const firstRows = parseCsv(first.text).slice(1);
    expect(firstRows).toHaveLength(STATEMENT_CSV_ROWS);
    expect(firstRows.some((r) => r[1] === 'statement')).toBe(false);
    const cursor = first.headers.get('x-next-cursor')!;
    expect(cursor).toEqual(expect.any(String));
    const next = `cursor=${encodeURIComponent(cursor)}`;
    // Bound to the account and the month.
    const other = await api.call('GET', `/credits/statements/2026-05?format=csv&${next}`, {
      token: await api.token('stmt-other'),
    });
    expect(other.status).toBe(400);
    expect((await api.call('GET', `/credits/statements/2026-04?format=csv&${next}`, { token })).status).toBe(400);
    const second = await api.call('GET', `/credits/statements/2026-05?format=csv&${next}`, { token });
    expect(second.status, second.text).toBe(200);
    expect(second.headers.get('x-next-cursor')).toBeNull();
    const secondRows = parseCsv(second.text).slice(1);
    const entries = [...firstRows, ...secondRows.filter((r) => r[1] !== 'statement')];
    expect(entries).toHaveLength(STATEMENT_CSV_ROWS + 500);
    expect(new Set(entries.map((r) => r[0])).size).toBe(STATEMENT_CSV_ROWS + 500);
    const totals = new Map(secondRows.filter((r) => r[1] === 'statement').map((r) => [r[6], microsOf(r[3]!)]));
    const sum = entries.reduce((t, r) => t + microsOf(r[3]!), 0);
    expect(totals.get('closing_balance')! - totals.get('opening_balance')!).toBe(sum);
    const json = await api.call('GET', '/credits/statements/2026-05', { token });
    expect(json.body).toMatchObject({ entries: STATEMENT_CSV_ROWS + 500, openingBalance: '0.00' });
    expect(microsOf(json.body.closingBalance)).toBe(sum);
    expect(json.body.sections.usage.count + json.body.sections.purchases.count).toBe(STATEMENT_CSV_ROWS + 500);
  });
});
