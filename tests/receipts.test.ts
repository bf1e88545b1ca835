// Receipts and credit notes (SPEC §11) on DynamoDB Local: one gap-free sequence per UTC year for
// every account and method, a number taken only in the transaction that credits the purchase, never
// twice for one purchase, whatever the providers send, in whatever order, however often.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { extractText, getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContentionExhausted } from '../core/errors.js';
import type { ProviderName, Purchase } from '../core/items/purchase.js';
import { documentFromItem, type Receipt, sequenceFromItem } from '../core/items/receipt.js';
import type { Ledger } from '../core/ledger/ledger.js';
import { reversePayment } from '../core/ledger/provider-reversals.js';
import { applyPaymentEvent, createPurchase, getPurchase, type PaymentOutcome } from '../core/ledger/purchases.js';
import { getBalance } from '../core/ledger/queries.js';
import { getDocument, listDocuments } from '../core/ledger/receipts.js';
import { micros } from '../core/money.js';
import { keys, SK_PREFIX } from '../core/table/keys.js';
import { type Api, startApi } from './support/api.js';
import { c, expectInvariants, newLedger } from './support/ledger.js';
import { buyCredits, providerRefunds } from './support/purchases.js';
import { pendingPurchase, SAMPLE_PROFILE } from './support/route-samples.js';
import { sessionEvent, signStripe } from './support/stripe-events.js';

const ANY = { min: micros(1), max: micros(Number.MAX_SAFE_INTEGER) };
const METHOD = { stripe: 'card', spherepay: 'usdc' } as const;

async function pending(ledger: Ledger, accountId: string, amount: string, provider: ProviderName = 'stripe') {
  return createPurchase(ledger, { accountId, amount: c(amount), method: METHOD[provider], limits: ANY });
}

function paid(purchase: Purchase, eventId: string): Parameters<typeof applyPaymentEvent>[1] {
  return {
    provider: purchase.provider,
    eventId,
    accountId: purchase.accountId,
    purchaseId: purchase.purchaseId,
    outcome: { kind: 'paid', amount: purchase.amount, paymentRef: `pi_${purchase.purchaseId}` },
  };
}

async function receiptsOf(ledger: Ledger, accountId: string): Promise<Receipt[]> {
  const out = await ledger.table.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': SK_PREFIX.receipt },
  });
  return out.items.map(documentFromItem).filter((d): d is Receipt => d.kind === 'receipt');
}

async function lastReceiptNumber(ledger: Ledger, year: number): Promise<number> {
  return sequenceFromItem(await ledger.table.get(keys.documentSequence('receipt', year)));
}

/** Providers deliver at least once: a 503 (nothing applied) is delivered again, as they would. */
async function deliver(ledger: Ledger, event: Parameters<typeof applyPaymentEvent>[1]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await applyPaymentEvent(ledger, event);
      return;
    } catch (error) {
      if (!(error instanceof ContentionExhausted) || attempt === MAX_REDELIVERIES) throw error;
    }
  }
}
const MAX_REDELIVERIES = 10;

const sequenceOf = (number: string) => Number(number.slice(-6));

describe('receipt numbers', () => {
  it('N purchases paid at once on many accounts, events twice, late, out of order: numbered 1..N once', async () => {
    const { ledger } = await newLedger();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            account: fc.integer({ min: 0, max: 5 }),
            provider: fc.constantFrom<ProviderName>('stripe', 'spherepay'),
            cents: fc.integer({ min: 500, max: 100_000 }),
            // Deliveries of its paid event (1 to 3), a second paid event under another id, a late expiry.
            deliveries: fc.integer({ min: 1, max: 3 }),
            secondEvent: fc.boolean(),
            lateExpiry: fc.boolean(),
          }),
          { minLength: 1, maxLength: 14 },
        ),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        async (specs, order) => {
          run += 1;
          const base = await lastReceiptNumber(ledger, 2026);
          const purchases = await Promise.all(
            specs.map((s) => pending(ledger, `racer-${run}-${s.account}`, (s.cents / 100).toFixed(2), s.provider)),
          );
          const events = specs.flatMap((s, i) => {
            const purchase = purchases[i]!;
            const first = paid(purchase, `evt_${purchase.purchaseId}`);
            const again = Array.from({ length: s.deliveries }, () => first);
            const second = s.secondEvent ? [paid(purchase, `evt_again_${purchase.purchaseId}`)] : [];
            const expiry: PaymentOutcome = { kind: 'expired' };
            const late = s.lateExpiry ? [{ ...first, eventId: `evt_exp_${purchase.purchaseId}`, outcome: expiry }] : [];
            return [...again, ...second, ...late];
          });
          const shuffled = events
            .map((event) => ({ event, key: order.next().value as number }))
            .sort((a, b) => a.key - b.key)
            .map((e) => e.event);
          await Promise.all(shuffled.map((event) => deliver(ledger, event)));

          const accounts = [...new Set(purchases.map((p) => p.accountId))];
          const receipts = (await Promise.all(accounts.map((a) => receiptsOf(ledger, a)))).flat();
          const numbers = receipts.map((r) => sequenceOf(r.number)).sort((a, b) => a - b);
          expect(numbers).toEqual(Array.from({ length: specs.length }, (_, i) => base + i + 1));
          expect(await lastReceiptNumber(ledger, 2026)).toBe(base + specs.length);
          for (const purchase of purchases) {
            const stored = await getPurchase(ledger, purchase.accountId, purchase.purchaseId);
            const own = receipts.filter((r) => r.purchaseId === purchase.purchaseId);
            expect(own).toHaveLength(1);
            expect(stored.status).toBe('completed');
            expect(stored.receiptNumber).toBe(own[0]!.number);
            expect(own[0]!.total).toBe(purchase.amount);
            expect(own[0]!.lotId).toBe(stored.lotId);
          }
          for (const accountId of accounts) await expectInvariants(ledger, accountId);
        },
      ),
      { numRuns: Number(process.env.RECEIPT_RUNS ?? 12) },
    );
  });

  it('starts again at 1 on the first of January (UTC), in a sequence of its own', async () => {
    const { ledger, clock } = await newLedger();
    clock.set(Date.UTC(2026, 11, 31, 23, 59, 59));
    const december = await buyCredits(ledger, 'new-year', c('10.00'));
    clock.set(Date.UTC(2027, 0, 1, 0, 0, 0));
    const january = await buyCredits(ledger, 'new-year', c('20.00'));
    expect((await getPurchase(ledger, 'new-year', december.purchaseId)).receiptNumber).toBe('IOC-2026-000001');
    expect((await getPurchase(ledger, 'new-year', january.purchaseId)).receiptNumber).toBe('IOC-2027-000001');
    expect(await lastReceiptNumber(ledger, 2026)).toBe(1);
    expect(await lastReceiptNumber(ledger, 2027)).toBe(1);
  });

  it('is not taken by a purchase that fails, expires or is never paid', async () => {
    const { ledger } = await newLedger();
    const failed = await pending(ledger, 'unlucky', '10.00');
    await applyPaymentEvent(ledger, { ...paid(failed, 'evt_f'), outcome: { kind: 'failed' } });
    const expired = await pending(ledger, 'unlucky', '10.00');
    await applyPaymentEvent(ledger, { ...paid(expired, 'evt_e'), outcome: { kind: 'expired' } });
    await pending(ledger, 'unlucky', '10.00');
    const bought = await buyCredits(ledger, 'unlucky', c('10.00'));
    expect((await getPurchase(ledger, 'unlucky', bought.purchaseId)).receiptNumber).toBe('IOC-2026-000001');
    expect(await lastReceiptNumber(ledger, 2026)).toBe(1);
  });

  it('is taken by a payment that arrives after its checkout expired: the money arrived, receipted', async () => {
    const { ledger } = await newLedger();
    const late = await pending(ledger, 'late', '25.00');
    await applyPaymentEvent(ledger, { ...paid(late, 'evt_x'), outcome: { kind: 'expired' } });
    const result = await applyPaymentEvent(ledger, paid(late, 'evt_p'));
    expect(result.effect).toBe('credited');
    expect(result.receiptNumber).toBe('IOC-2026-000001');
  });
});

describe('what a receipt holds', () => {
  it('the lot, the amount paid, tax 0.00, the expiry and the method details the provider reported', async () => {
    const { ledger } = await newLedger();
    const purchase = await pending(ledger, 'holder', '42.50', 'spherepay');
    const hash = `0x${'ab'.repeat(32)}`;
    await applyPaymentEvent(ledger, {
      ...paid(purchase, 'evt_usdc'),
      outcome: {
        kind: 'paid',
        amount: c('42.50'),
        paymentRef: 'payment_1',
        payment: { kind: 'usdc', network: 'base', transactionHash: hash },
      },
    });
    const stored = await getPurchase(ledger, 'holder', purchase.purchaseId);
    expect(stored.payment).toEqual({ kind: 'usdc', network: 'base', transactionHash: hash });
    const receipt = await getDocument(ledger, 'holder', stored.receiptNumber!);
    expect(receipt).toMatchObject({
      kind: 'receipt',
      number: 'IOC-2026-000001',
      purchaseId: purchase.purchaseId,
      lotId: stored.lotId,
      method: 'usdc',
      payment: { kind: 'usdc', network: 'base', transactionHash: hash },
      amount: c('42.50'),
      tax: 0,
      total: c('42.50'),
      paidAt: '2026-01-31T12:00:00.000Z',
      expiresAt: '2027-01-31T12:00:00.000Z',
    });
  });

  it("another account's number is not found, and a number of no document is refused", async () => {
    const { ledger } = await newLedger();
    const bought = await buyCredits(ledger, 'owner', c('10.00'));
    const { receiptNumber } = await getPurchase(ledger, 'owner', bought.purchaseId);
    await expect(getDocument(ledger, 'snoop', receiptNumber!)).rejects.toMatchObject({ code: 'not_found' });
    await expect(getDocument(ledger, 'owner', 'IOC-2026-000000')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(getDocument(ledger, 'owner', 'IOC-26-1')).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('lists newest first, a page at a time', async () => {
    const { ledger } = await newLedger();
    for (let i = 0; i < 3; i += 1) await buyCredits(ledger, 'lister', c('10.00'));
    const first = await listDocuments(ledger, { accountId: 'lister', kind: 'receipt', limit: 2 });
    expect(first.items.map((r) => r.number)).toEqual(['IOC-2026-000003', 'IOC-2026-000002']);
    const second = await listDocuments(ledger, {
      accountId: 'lister',
      kind: 'receipt',
      limit: 2,
      after: first.lastKey,
    });
    expect(second.items.map((r) => r.number)).toEqual(['IOC-2026-000001']);
  });
});

describe('credit notes', () => {
  it('a provider refund issues one credit note for what it reversed, naming the receipt; again, none', async () => {
    const { ledger } = await newLedger();
    const bought = await buyCredits(ledger, 'refunded', c('50.00'));
    const first = await providerRefunds(ledger, bought, c('20.00'));
    expect(first.creditNoteNumber).toBe('IOC-CN-2026-000001');
    const again = await providerRefunds(ledger, bought, c('20.00'));
    expect(again.creditNoteNumber).toBe('IOC-CN-2026-000001');
    const more = await providerRefunds(ledger, bought, c('50.00'));
    expect(more.creditNoteNumber).toBe('IOC-CN-2026-000002');
    const note = await getDocument(ledger, 'refunded', 'IOC-CN-2026-000002');
    expect(note).toMatchObject({ kind: 'credit_note', receiptNumber: 'IOC-2026-000001', amount: c('30.00') });
    const notes = await listDocuments(ledger, { accountId: 'refunded', kind: 'credit_note', limit: 10 });
    expect(notes.items.map((n) => n.number)).toEqual(['IOC-CN-2026-000002', 'IOC-CN-2026-000001']);
    // The whole purchase is reversed: nothing more to note, however the provider insists.
    const beyond = await providerRefunds(ledger, bought, c('60.00'));
    expect(beyond.creditNoteNumber).toBeUndefined();
    await expectInvariants(ledger, 'refunded');
  });

  it('a refund of a payment with tax on top takes back the credit in its part of what was paid', async () => {
    const { ledger } = await newLedger();
    // 100.00 of credit and 20.00 of tax: 120.00 paid. A refund of 60.00 is half of it: 50.00 of credit.
    const purchase = await pending(ledger, 'taxed', '100.00');
    const event = paid(purchase, 'evt_taxed');
    await applyPaymentEvent(ledger, {
      ...event,
      outcome: { ...event.outcome, tax: c('20.00') } as typeof event.outcome,
    });
    const paymentRef = `pi_${purchase.purchaseId}`;
    const refund = (total: string, eventId: string) =>
      reversePayment(ledger, {
        provider: 'stripe',
        eventId,
        paymentRef,
        report: { kind: 'refund', totalRefunded: c(total) },
      });
    expect(await refund('60.00', 'evt_half')).toMatchObject({ applied: { reversed: c('50.00') } });
    // The VAT alone refunded later (20.00 more, 80.00 in all): a sixth of it was credit.
    expect(await refund('80.00', 'evt_vat')).toMatchObject({ applied: { reversed: 16_666_666 } });
    // The rest: in all, exactly the credit bought is taken back, never more.
    expect(await refund('120.00', 'evt_rest')).toMatchObject({ applied: { reversed: 33_333_334 } });
    expect((await getBalance(ledger, 'taxed')).balance).toBe(0);
    await expectInvariants(ledger, 'taxed');
  });

  it('a refund and a dispute that come before the payment are noted in the transaction crediting it', async () => {
    const { ledger } = await newLedger();
    const purchase = await pending(ledger, 'early', '40.00');
    const paymentRef = `pi_${purchase.purchaseId}`;
    const refund = { kind: 'refund' as const, totalRefunded: c('10.00') };
    const dispute = { kind: 'dispute' as const, amount: c('5.00'), disputeId: 'dp_1' };
    expect(await reversePayment(ledger, { provider: 'stripe', eventId: 'evt_r', paymentRef, report: refund })).toEqual({
      held: true,
    });
    await reversePayment(ledger, { provider: 'stripe', eventId: 'evt_d', paymentRef, report: dispute });
    await applyPaymentEvent(ledger, paid(purchase, 'evt_paid'));
    const notes = await listDocuments(ledger, { accountId: 'early', kind: 'credit_note', limit: 10 });
    expect(notes.items.map((n) => [n.number, n.amount])).toEqual([
      ['IOC-CN-2026-000002', c('5.00')],
      ['IOC-CN-2026-000001', c('10.00')],
    ]);
    expect(notes.items.every((n) => n.kind === 'credit_note' && n.receiptNumber === 'IOC-2026-000001')).toBe(true);
    await expectInvariants(ledger, 'early');
  });
});

describe('over HTTP', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });

  function postStripe(event: object) {
    const body = JSON.stringify(event);
    return api.call('POST', '/webhooks/stripe', {
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signStripe(body, api.payments.webhookSecrets.stripe!),
      },
    });
  }

  it("a card payment's brand and last 4 are kept with the purchase and shown on its receipt", async () => {
    const purchase = await pendingPurchase(api, 'http-card', 'card');
    expect((await postStripe(sessionEvent('checkout.session.completed', purchase))).status).toBe(200);
    const token = await api.token('http-card');
    const stored = await api.call('GET', `/credits/purchases/${purchase.purchaseId}`, { token });
    expect(stored.body).toMatchObject({ payment: { kind: 'card', brand: 'visa', last4: '4242' } });
    const number = stored.body.receiptNumber as string;
    const receipt = await api.call('GET', `/credits/receipts/${number}`, { token });
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({
      kind: 'receipt',
      number,
      purchaseId: purchase.purchaseId,
      method: 'card',
      payment: { kind: 'card', brand: 'visa', last4: '4242' },
      amount: '25.00',
      tax: '0.00',
      total: '25.00',
      currency: 'USD',
    });
    expect(receipt.body.line).toMatch(/^IO Credits \(prepaid; 1 IO Credit = 1 USD\), expire \d{4}-\d{2}-\d{2}$/);
  });

  it('tax Stripe reports is on the receipt beside the amount; the credits are what was paid before tax', async () => {
    const purchase = await pendingPurchase(api, 'http-taxed', 'card');
    const event = sessionEvent('checkout.session.completed', purchase, {
      cents: 2750,
      session: { total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 250 } },
    });
    expect((await postStripe(event)).status).toBe(200);
    const token = await api.token('http-taxed');
    const stored = await api.call('GET', `/credits/purchases/${purchase.purchaseId}`, { token });
    const receipt = await api.call('GET', `/credits/receipts/${stored.body.receiptNumber}`, { token });
    expect(receipt.body).toMatchObject({ amount: '25.00', tax: '2.50', total: '27.50' });
    const lot = await api.ledger.table.get(keys.lot('http-taxed', receipt.body.lotId));
    expect(lot).toMatchObject({ amount: c('25.00') });
  });

  it("someone else's receipt number is a 404, and their cursor is refused", async () => {
    const purchase = await pendingPurchase(api, 'http-owner', 'card');
    await postStripe(sessionEvent('checkout.session.completed', purchase));
    const owner = await api.token('http-owner');
    const snoop = await api.token('http-snoop');
    const { receiptNumber } = (await api.call('GET', `/credits/purchases/${purchase.purchaseId}`, { token: owner }))
      .body as { receiptNumber: string };
    expect((await api.call('GET', `/credits/receipts/${receiptNumber}`, { token: snoop })).status).toBe(404);
    await buyCredits(api.ledger, 'http-owner', c('5.00'));
    const page = await api.call('GET', '/credits/receipts?limit=1', { token: owner });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const after = `/credits/receipts?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    const stolen = await api.call('GET', after, { token: snoop });
    expect(stolen.status).toBe(400);
    const next = await api.call('GET', after, { token: owner });
    expect(next.body.items.map((r: { number: string }) => r.number)).toEqual([receiptNumber]);
  });
});

describe('the billing profile', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });

  const put = async (sub: string, body: unknown) =>
    api.call('PUT', '/credits/billing-profile', { token: await api.token(sub), body });

  it.each([
    ['eu_vat', 'DE136695976'],
    ['eu_vat', 'EL094259216'],
    ['gb_vat', 'GB980780684'],
    ['us_ein', '04-2103594'],
    ['au_abn', '51 824 753 556'],
    ['in_gst', '27AAPFU0939F1ZV'],
  ])('takes a valid %s (%s)', async (type, value) => {
    const response = await put('profiled', { ...SAMPLE_PROFILE, taxId: { type, value } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const read = await api.call('GET', '/credits/billing-profile', { token: await api.token('profiled') });
    expect(read.body.taxId).toEqual({ type, value });
  });

  it.each([
    [{ address: { ...SAMPLE_PROFILE.address, country: 'XX' } }, 'address.country'],
    [{ address: { ...SAMPLE_PROFILE.address, country: 'de' } }, 'address.country'],
    [{ taxId: { type: 'eu_vat', value: 'DE136695977' } }, 'taxId.value'],
    [{ taxId: { type: 'eu_vat', value: 'US136695976' } }, 'taxId.value'],
    [{ taxId: { type: 'gb_vat', value: 'GB980780685' } }, 'taxId.value'],
    [{ taxId: { type: 'us_ein', value: '12-345678' } }, 'taxId.value'],
    [{ taxId: { type: 'au_abn', value: '51 824 753 557' } }, 'taxId.value'],
    [{ taxId: { type: 'in_gst', value: '27AAPFU0939F1ZX' } }, 'taxId.value'],
    [{ taxId: { type: 'ch_vat', value: 'CHE-123.456.788' } }, 'taxId.type'],
    [{ name: '' }, 'name'],
    [{ email: 'not an address' }, 'email'],
  ])('refuses %j with a 400 naming %s, and keeps what it had', async (change, field) => {
    await put('strict', SAMPLE_PROFILE);
    const response = await put('strict', { ...SAMPLE_PROFILE, ...change });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_request');
    expect(JSON.stringify(response.body)).toContain(field);
    const read = await api.call('GET', '/credits/billing-profile', { token: await api.token('strict') });
    expect(read.body).toEqual(SAMPLE_PROFILE);
  });

  it('is a 404 until one is set', async () => {
    const read = await api.call('GET', '/credits/billing-profile', { token: await api.token('no-profile') });
    expect(read.status).toBe(404);
  });

  it('a receipt holds the profile as it was at payment; a later change does not rewrite it', async () => {
    await put('copied', SAMPLE_PROFILE);
    const bought = await buyCredits(api.ledger, 'copied', c('10.00'));
    await put('copied', { ...SAMPLE_PROFILE, name: 'Renamed Ltd' });
    const { receiptNumber } = await getPurchase(api.ledger, 'copied', bought.purchaseId);
    const receipt = await api.call('GET', `/credits/receipts/${receiptNumber}`, { token: await api.token('copied') });
    expect(receipt.body.buyer).toEqual(SAMPLE_PROFILE);
    const later = await buyCredits(api.ledger, 'copied', c('10.00'));
    const second = await getDocument(
      api.ledger,
      'copied',
      (await getPurchase(api.ledger, 'copied', later.purchaseId)).receiptNumber!,
    );
    expect(second.buyer?.name).toBe('Renamed Ltd');
  });
});

describe('as PDF', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });

  async function download(path: string, sub: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${api.url}${path}`, {
      headers: { authorization: `Bearer ${await api.token(sub)}`, ...headers },
    });
    return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  async function textOf(bytes: Uint8Array): Promise<string> {
    const { text } = await extractText(await getDocumentProxy(bytes.slice()), { mergePages: true });
    return text;
  }

  it('a receipt as an A4 PDF: text selectable: number, total, card; font embedded', async () => {
    await api.call('PUT', '/credits/billing-profile', { token: await api.token('pdf-buyer'), body: SAMPLE_PROFILE });
    const purchase = await pendingPurchase(api, 'pdf-buyer', 'card', 123);
    const body = JSON.stringify(sessionEvent('checkout.session.completed', purchase));
    await api.call('POST', '/webhooks/stripe', {
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signStripe(body, api.payments.webhookSecrets.stripe!),
      },
    });
    const { receiptNumber } = await getPurchase(api.ledger, 'pdf-buyer', purchase.purchaseId);
    const { response, bytes } = await download(`/credits/receipts/${receiptNumber}?format=pdf`, 'pdf-buyer');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${receiptNumber}.pdf"`);
    const text = await textOf(bytes);
    for (const expected of [receiptNumber!, '123.00 USD', 'Visa •••• 4242', 'Example GmbH', 'DE136695976'])
      expect(text).toContain(expected);
    expect(text).toMatch(/IO Credits \(prepaid; 1 IO Credit = 1 USD\), expire \d{4}-\d{2}-\d{2}/);
    const raw = Buffer.from(bytes).toString('latin1');
    expect(raw).toMatch(/\/FontFile[23]?/);
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);
    expect(raw).toContain('/MediaBox [ 0 0 595.28 841.89 ]');
    // Accept: application/pdf asks for the same document.
    const accepted = await download(`/credits/receipts/${receiptNumber}`, 'pdf-buyer', { accept: 'application/pdf' });
    expect(await textOf(accepted.bytes)).toBe(text);
    // Another account's number is not found as a PDF either.
    expect((await download(`/credits/receipts/${receiptNumber}?format=pdf`, 'pdf-snoop')).response.status).toBe(404);
  });

  it("a receipt with Stripe's invoice and tax prints the invoice's page and the tax", async () => {
    const invoiceUrl = 'https://invoice.stripe.com/i/acct_1Ab/test_Yz';
    const purchase = await pendingPurchase(api, 'pdf-invoiced', 'card', 40);
    const body = JSON.stringify(
      sessionEvent('checkout.session.completed', purchase, {
        cents: 4800,
        session: {
          invoice: { id: 'in_1Ab', object: 'invoice', hosted_invoice_url: invoiceUrl },
          total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 800 },
        },
      }),
    );
    await api.call('POST', '/webhooks/stripe', {
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signStripe(body, api.payments.webhookSecrets.stripe!),
      },
    });
    const { receiptNumber } = await getPurchase(api.ledger, 'pdf-invoiced', purchase.purchaseId);
    const json = await api.call('GET', `/credits/receipts/${receiptNumber}`, {
      token: await api.token('pdf-invoiced'),
    });
    expect(json.body).toMatchObject({ invoiceUrl, amount: '40.00', tax: '8.00', total: '48.00' });
    const text = await textOf((await download(`/credits/receipts/${receiptNumber}?format=pdf`, 'pdf-invoiced')).bytes);
    for (const expected of [invoiceUrl, 'Tax 8.00 USD', 'Total 48.00 USD']) expect(text).toContain(expected);
  });

  it('a credit note as PDF names the receipt it corrects and the amount reversed', async () => {
    const bought = await buyCredits(api.ledger, 'pdf-refund', c('40.00'));
    const { creditNoteNumber } = await providerRefunds(api.ledger, bought, c('15.00'));
    const { response, bytes } = await download(`/credits/receipts/${creditNoteNumber}?format=pdf`, 'pdf-refund');
    expect(response.status).toBe(200);
    const text = await textOf(bytes);
    const { receiptNumber } = await getPurchase(api.ledger, 'pdf-refund', bought.purchaseId);
    for (const expected of [creditNoteNumber!, receiptNumber!, '-15.00 USD']) expect(text).toContain(expected);
  });
});

describe('the embedded fonts', () => {
  it('functions/documents/fonts.ts is what npm run fonts writes from the installed @fontsource/inter', async () => {
    const { fontsModule } = await import('../scripts/fonts.js');
    expect(readFileSync(new URL('../functions/documents/fonts.ts', import.meta.url), 'utf8')).toBe(fontsModule());
  });
});
