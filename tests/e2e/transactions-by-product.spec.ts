// Transactions by product (SPEC §10): each entry's product and deployment, the product filter (which
// the CSV export honours), and a usage entry opened, by keyboard, to what paid it: each lot by kind
// and amount, and the part taken on the negative allowance, as the ledger recorded them.

import { expect, test } from '@playwright/test';
import {
  api,
  charge,
  checkAtEveryWidth,
  expectExportedAsApi,
  freshAccount,
  grant,
  purchase,
  serverNow,
  signIn,
  token,
} from './support.js';

const DAY_MS = 86_400_000;

test('transactions show product and deployment, filter by product, and a usage row opens to what paid it', async ({
  page,
}) => {
  const account = freshAccount('paid-by');
  const now = Date.parse(await serverNow());
  await purchase(account, '20.00');
  await grant(account, '5.00', new Date(now + 20 * DAY_MS).toISOString());
  await grant(account, '4.00', undefined, ['inference']);
  // Inference takes its own credit first, then the promotional credit that expires first.
  await charge(account, '6.00', { product: 'inference', deploymentId: 'llm-endpoint-1' });
  // VMs can not use the inference credit: the rest of the promotional, the purchased, then 2.00 of allowance.
  await charge(account, '25.00', { product: 'vm', deploymentId: 'vm-a100-4', projectId: 'research' });

  await signIn(page, account);
  await page.goto('/');
  const card = page.getByRole('region', { name: 'Transactions' });
  const rows = card.getByRole('row').filter({ hasText: 'tx_' });
  await expect(rows).toHaveCount(5);
  const vmRow = rows.filter({ hasText: 'vm-a100-4' });
  await expect(vmRow).toContainText('VMs');
  await expect(vmRow).toContainText('Project research');
  await expect(vmRow).toContainText('−$25.00');
  await expect(rows.filter({ hasText: 'llm-endpoint-1' })).toContainText('Inference');

  await card.getByLabel('Product').selectOption({ label: 'Inference' });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('llm-endpoint-1');
  await card.getByLabel('Product').selectOption({ label: 'VMs' });
  await expect(rows).toHaveCount(1);
  // The export honours the filter: the header and the one VM entry, with its product and deployment.
  const lines = await expectExportedAsApi(card, account, '&product=vm');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/,product,deploymentId,paidFrom$/);
  expect(lines[1]).toContain(',vm,vm-a100-4,');

  // The disclosure works by keyboard: Enter opens it, Enter again closes it.
  const log = await api('GET', '/credits/transactions?product=vm', { token: await token(account) });
  const entry = log.body.items[0];
  const disclosure = vmRow.getByRole('button', { name: `Usage ${entry.transactionId}, paid by` });
  await expect(disclosure).toHaveAttribute('aria-expanded', 'false');
  await disclosure.focus();
  await page.keyboard.press('Enter');
  await expect(disclosure).toHaveAttribute('aria-expanded', 'true');
  const paidBy = card.locator(`[id="${await disclosure.getAttribute('aria-controls')}"]`);
  const shown = (await paidBy.locator('dl > div').allInnerTexts()).map((line) => line.replace(/\s+/g, ' ').trim());
  expect(entry.paidFrom.map((lot: { kind: string }) => lot.kind)).toEqual(['promotional', 'purchased']);
  expect(shown).toEqual([
    ...entry.paidFrom.map(
      (lot: { kind: string; lotId: string; amount: string }) =>
        `${lot.kind === 'purchased' ? 'Purchased' : 'Promotional'} credit ${lot.lotId} $${lot.amount}`,
    ),
    `Negative allowance $${entry.allowance}`,
  ]);
  expect(shown.map((line) => line.split(' ').at(-1))).toEqual(['$3.00', '$20.00', '$2.00']);
  await checkAtEveryWidth(page, 'transactions-paid-by');
  await disclosure.focus();
  await page.keyboard.press('Enter');
  await expect(disclosure).toHaveAttribute('aria-expanded', 'false');
  await expect(paidBy).toHaveCount(0);
});
