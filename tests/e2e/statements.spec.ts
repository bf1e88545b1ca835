// Statements on Usage & Billing: the current month's statement (partial) with its totals by section
// and usage by product, and the statement downloaded as the API renders it: the PDF's text holds
// the closing balance, the CSV is the API's.

import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { extractText, getDocumentProxy } from 'unpdf';
import {
  api,
  charge,
  checkAtEveryWidth,
  freshAccount,
  purchase,
  SCREENS,
  serverNow,
  signIn,
  token,
  WIDTHS,
} from './support.js';

test('a month is summed by section, and its PDF and CSV download with the closing balance in them', async ({
  page,
}) => {
  const account = freshAccount('statement');
  await purchase(account, '80.00');
  await charge(account, '12.50', { product: 'vm' });
  await charge(account, '3.204411', { product: 'inference' });
  await charge(account, '1.25', { product: 'vm' });
  const month = (await serverNow()).slice(0, 7);
  const statement = await api('GET', `/credits/statements/${month}`, { token: await token(account) });
  expect(statement.body.closingBalance).toBe('63.045589');

  await signIn(page, account);
  await page.goto('/');
  const card = page.getByRole('region', { name: 'Statements' });
  await expect(card.getByLabel('Month')).toHaveValue(month);
  await expect(card.getByLabel('Month').locator('option:checked')).toContainText('(partial)');
  const closing = card.getByRole('row', { name: /Closing balance/ });
  await expect(closing).toContainText('$63.045589');
  await expect(card.getByRole('row', { name: /^Purchases/ })).toContainText('+$80.00');
  await expect(card.getByRole('row', { name: /Usage: VMs/ })).toContainText('−$13.75');
  await expect(card.getByRole('row', { name: /Usage: Inference/ })).toContainText('−$3.204411');
  await expect(card).toContainText('No ledger proof: the month is not over.');

  const [pdfDownload] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('button', { name: 'Download PDF' }).click(),
  ]);
  expect(pdfDownload.suggestedFilename()).toBe(`io-credits-statement-${month}.pdf`);
  const bytes = new Uint8Array(readFileSync(await pdfDownload.path()));
  const { text } = await extractText(await getDocumentProxy(bytes), { mergePages: true });
  expect(text).toContain(`Statement ${month}`);
  expect(text).toContain('Closing balance (so far)');
  expect(text).toContain('$63.045589');

  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  const csv = readFileSync(await csvDownload.path(), 'utf8');
  const fromApi = await api('GET', `/credits/statements/${month}?format=csv`, { token: await token(account) });
  expect(csv).toBe(fromApi.text);
  expect(csv).toContain(',statement,Statement,63.045589,');

  await checkAtEveryWidth(page, 'statements');
  // The card alone at each width, to look at closely.
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await card.screenshot({ path: `${SCREENS}/statements-card-${width}.png` });
  }
});
