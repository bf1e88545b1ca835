// Receipts in the app (SPEC §11): a purchase made from the buy pop-up links its receipt when it
// completes; the Receipts card on Usage & Billing lists it and downloads its PDF, whose text holds
// the number and the total; the billing profile in Settings refuses a tax id that is not one, next
// to the field, saves a valid one, and the next receipt is made out to that buyer.

import { readFileSync } from 'node:fs';
import { type Download, expect, type Page, test } from '@playwright/test';
import { extractText, getDocumentProxy } from 'unpdf';
import {
  api,
  checkAtEveryWidth,
  expectAccessible,
  freshAccount,
  purchase,
  screenshot,
  signIn,
  token,
} from './support.js';

/** The text of a downloaded PDF, as a reader selecting it would get it. */
async function pdfText(download: Download): Promise<string> {
  const bytes = new Uint8Array(readFileSync(await download.path()));
  const { text } = await extractText(await getDocumentProxy(bytes), { mergePages: true });
  return text;
}

async function downloading(page: Page, click: () => Promise<void>): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return download;
}

test('a purchase from the buy pop-up links its receipt; the Receipts card lists it and downloads its PDF', async ({
  page,
  context,
}) => {
  const account = freshAccount('receipts');
  await signIn(page, account);
  // A deployment's checkout without credit: its Buy IO Credits opens the pop-up, paid in a new tab.
  await page.goto('/checkout?amount=30.00&deploymentId=receipts-1');
  await expect(page.getByRole('status').filter({ hasText: 'Not enough IO Credits' })).toBeVisible();
  await page.locator('#main').getByRole('button', { name: 'Buy IO Credits' }).click();
  const dialog = page.getByRole('dialog', { name: 'Buy IO Credits' });
  await dialog.getByLabel('Amount (USD)').fill('42.50');
  await dialog.getByRole('radio', { name: 'USD (Credit/Debit Card)' }).check();
  const [providerTab] = await Promise.all([
    context.waitForEvent('page'),
    dialog.getByRole('button', { name: 'Continue to Stripe (new tab)' }).click(),
  ]);
  await providerTab.getByRole('button', { name: 'Pay $42.50' }).click();
  await expect(providerTab.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  await providerTab.close();

  const receiptLink = dialog.getByRole('button', { name: /^Receipt IOC-\d{4}-\d{6} \(PDF\)$/ });
  await expect(receiptLink).toBeVisible();
  const number = /IOC-\d{4}-\d{6}/.exec((await receiptLink.textContent()) ?? '')![0];
  await expectAccessible(page, 'the buy pop-up with its receipt');
  await screenshot(page, 'buy-receipt');
  const fromPopUp = await pdfText(await downloading(page, () => receiptLink.click()));
  expect(fromPopUp).toContain(number);
  expect(fromPopUp).toContain('42.50 USD');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // The Receipts card on Usage & Billing.
  await page.goto('/');
  const card = page.getByRole('region', { name: 'Receipts' });
  const row = card.getByRole('row').filter({ hasText: number });
  await expect(row).toContainText('Visa •••• 4242');
  await expect(row).toContainText('$42.50');
  const download = await downloading(page, () => row.getByRole('button', { name: `PDF of ${number}` }).click());
  expect(download.suggestedFilename()).toBe(`${number}.pdf`);
  const text = await pdfText(download);
  expect(text).toContain(number);
  expect(text).toMatch(/Total\s+42\.50 USD/);
  expect(text).toContain('Visa •••• 4242');
  await card.scrollIntoViewIfNeeded();
  await checkAtEveryWidth(page, 'receipts');
});

test('the Receipts card pages with Load more, newest first', async ({ page }) => {
  const account = freshAccount('receipts-pages');
  // One more than a page of the card (10).
  for (let i = 1; i <= 11; i += 1) await purchase(account, `${5 + i}.00`);
  await signIn(page, account);
  await page.goto('/');
  const card = page.getByRole('region', { name: 'Receipts' });
  const rows = card.locator('tbody tr');
  await expect(rows).toHaveCount(10);
  await expect(rows.first()).toContainText('$16.00');
  await card.getByRole('button', { name: 'Load more receipts' }).click();
  await expect(rows).toHaveCount(11);
  await expect(rows.last()).toContainText('$6.00');
  await expect(card.getByRole('button', { name: 'Load more receipts' })).toHaveCount(0);
});

test('a USDC receipt, a Stripe invoice and a credit note on the Receipts card, as the API answers them', async ({
  page,
}) => {
  const account = freshAccount('receipts-kinds');
  await purchase(account, '30.00', 'card');
  await purchase(account, '20.00', 'usdc');
  const invoiceUrl = 'https://invoice.stripe.com/i/acct_1Ab/test_Yz';
  // The local checkout makes no Stripe invoice and no refund: the API's answers are given them, as
  // Stripe's would (STRIPE_INVOICES=true, then a refund of 5.00 of the card purchase).
  const receipts = await api('GET', '/credits/receipts', { token: await token(account) });
  const card = receipts.body.items.find((r: { method: string }) => r.method === 'card');
  await page.route('**/credits/receipts?**', async (route) => {
    const response = await route.fetch();
    const json = await response.json();
    if (new URL(route.request().url()).searchParams.get('kind') === 'credit_note')
      json.items = [
        {
          ...card,
          kind: 'credit_note',
          number: card.number.replace('IOC-', 'IOC-CN-'),
          receiptNumber: card.number,
          issuedAt: card.paidAt,
          reason: 'refund',
          reference: 'stripe:refund:pi_1:500',
          amount: '5.00',
          total: '5.00',
        },
      ];
    else for (const item of json.items) if (item.number === card.number) item.invoiceUrl = invoiceUrl;
    await route.fulfill({ response, json });
  });
  await signIn(page, account);
  await page.goto('/');
  const region = page.getByRole('region', { name: 'Receipts' });
  const usdc = region.getByRole('row').filter({ hasText: '$20.00' });
  await expect(usdc).toContainText(/USDC on base, 0x[0-9a-f]{4}…[0-9a-f]{4}/);
  const paidByCard = region.getByRole('row').filter({ hasText: '$30.00' });
  await expect(paidByCard.getByRole('link', { name: /^Invoice of IOC-\d{4}-\d{6} at Stripe$/ })).toHaveAttribute(
    'href',
    invoiceUrl,
  );
  await expect(usdc.getByRole('link')).toHaveCount(0);
  await expect(region.getByRole('heading', { name: 'Credit notes' })).toBeVisible();
  const note = region.getByRole('row').filter({ hasText: 'IOC-CN-' });
  await expect(note).toContainText(card.number);
  await expect(note).toContainText('(refund)');
  await expect(note).toContainText('−$5.00');
  await region.scrollIntoViewIfNeeded();
  await checkAtEveryWidth(page, 'receipts-kinds');
});

test(
  'the billing profile: a tax id that is not one is refused beside its field; a valid one is saved and ' +
    'is on the next receipt',
  async ({ page }) => {
    const account = freshAccount('billing');
    await signIn(page, account);
    await page.goto('/settings');
    const card = page.getByRole('region', { name: 'Billing profile' });
    await expect(card.getByText('No billing profile yet')).toBeVisible();
    await card.getByLabel('Name or company').fill('Example GmbH');
    await card.getByLabel('Email (optional)').fill('billing@example.com');
    await card.getByLabel('Address', { exact: true }).fill('Unter den Linden 1');
    await card.getByLabel('City').fill('Berlin');
    await card.getByLabel('Postal code (optional)').fill('10117');
    await card.getByLabel('Country').selectOption('DE');
    await card.getByLabel('Tax ID type').selectOption('eu_vat');
    const taxId = card.getByLabel('Tax ID', { exact: true });
    await taxId.fill('DE123');
    await card.getByRole('button', { name: 'Save billing profile' }).click();
    await expect(taxId).toHaveAttribute('aria-invalid', 'true');
    await expect(taxId).toHaveAccessibleDescription(/is not a valid eu_vat/);
    await expectAccessible(page, 'the billing profile with a refused tax id');
    await screenshot(page, 'billing-profile-refused');
    const refused = await api('GET', '/credits/billing-profile', { token: await token(account) });
    expect(refused.status).toBe(404);

    await taxId.fill('DE136695976');
    await card.getByRole('button', { name: 'Save billing profile' }).click();
    await expect(card.getByRole('status')).toContainText('Saved. Your next receipts are made out to Example GmbH.');
    await expect(taxId).not.toHaveAttribute('aria-invalid', 'true');
    await card.scrollIntoViewIfNeeded();
    await checkAtEveryWidth(page, 'billing-profile');

    // Saved: it is there after a reload, and the next receipt is made out to it.
    await page.reload();
    await expect(card.getByLabel('Name or company')).toHaveValue('Example GmbH');
    await expect(card.getByLabel('Country')).toHaveValue('DE');
    // Bought from the navigation bar: back from the checkout, the banner links the receipt.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/');
    await page.getByRole('banner').getByRole('button', { name: 'Buy IO Credits' }).click();
    const dialog = page.getByRole('dialog', { name: 'Buy IO Credits' });
    await dialog.getByLabel('Amount (USD)').fill('15.00');
    await dialog.getByRole('radio', { name: 'USD (Credit/Debit Card)' }).check();
    await dialog.getByRole('button', { name: 'Continue to Stripe' }).click();
    await page.getByRole('button', { name: 'Pay $15.00' }).click();
    await page.getByRole('link', { name: 'Return to IO Credits' }).click();
    const banner = page.getByRole('status').filter({ hasText: 'Purchase completed' });
    const link = banner.getByRole('button', { name: /^Receipt IOC-\d{4}-\d{6} \(PDF\)$/ });
    await expect(link).toBeVisible();
    await screenshot(page, 'purchase-completed-receipt');
    const number = /IOC-\d{4}-\d{6}/.exec((await link.textContent()) ?? '')![0];
    const row = page.getByRole('region', { name: 'Receipts' }).locator('tbody tr').first();
    await expect(row.getByRole('rowheader')).toHaveText(number);
    await expect(row).toContainText('$15.00');
    const text = await pdfText(await downloading(page, () => link.click()));
    for (const expected of [number, 'Example GmbH', 'Unter den Linden 1', 'DE136695976', '15.00 USD'])
      expect(text).toContain(expected);
  },
);
