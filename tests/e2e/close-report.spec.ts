// The daily close in Finance (SPEC §12): a card payment taken without its webhook (the local
// checkout's ?notify=false) is reported by the next close as paid, not credited; Finance sees it
// under the latest close with its amount, resolves it with a note, and sees who resolved it and when.

import { expect, test } from '@playwright/test';
import {
  admin,
  advanceClock,
  api,
  BASE,
  checkAtEveryWidth,
  freshAccount,
  serverNow,
  signIn,
  token,
} from './support.js';

test('a payment whose webhook was lost is owed in the next close, and Finance resolves it', async ({ page }) => {
  const account = freshAccount('close-owed');
  const created = await api('POST', '/credits/purchases', {
    token: await token(account),
    body: { amount: '42.00', method: 'card' },
  });
  expect(created.status, created.text).toBe(201);
  const purchaseId = created.body.purchaseId as string;
  const paid = await fetch(`${BASE()}/local/checkout/${purchaseId}/pay?notify=false`, { method: 'POST' });
  expect(paid.status).toBe(200);

  const day = (await serverNow()).slice(0, 10);
  await advanceClock(86_400);
  const closed = await admin('POST', '/admin/jobs/close', { day });
  expect(closed.status, closed.text).toBe(200);

  await signIn(page, 'finance', 'credits:admin');
  await page.goto('/finance');
  const close = page.getByRole('region', { name: 'Daily close' });
  await expect(close).toContainText(day);
  await expect(close.getByLabel('Roll-forward')).toContainText('Opening');
  const owed = close.locator('.close-category', { hasText: 'Paid, not credited' });
  const item = owed.getByRole('listitem').filter({ hasText: purchaseId });
  await expect(item).toContainText('provider $42.00');
  await expect(item).toContainText(account);
  await checkAtEveryWidth(page, 'finance-close-report');

  await page.setViewportSize({ width: 1280, height: 900 });
  await item.getByRole('button', { name: 'Resolve' }).click();
  const dialog = page.getByRole('dialog', { name: 'Resolve item' });
  await dialog.getByRole('button', { name: 'Mark resolved' }).click();
  await expect(dialog).toContainText('Say what was done');
  await dialog.getByLabel('Note').fill('Credited by hand: the webhook never arrived');
  await dialog.getByRole('button', { name: 'Mark resolved' }).click();
  await expect(dialog).toBeHidden();
  await expect(owed.getByRole('listitem').filter({ hasText: purchaseId })).toHaveCount(0);
  const resolved = close.getByRole('listitem').filter({ hasText: 'Credited by hand: the webhook never arrived' });
  await expect(resolved).toContainText('finance,');
  await expect(resolved).toContainText(purchaseId);
  await checkAtEveryWidth(page, 'finance-close-report-resolved');

  const report = await admin('GET', `/admin/closes/${day}`);
  const entry = report.body.categories.paidNotCredited.find((i: { purchaseId: string }) => i.purchaseId === purchaseId);
  expect(entry.resolved).toMatchObject({ by: 'finance', note: 'Credited by hand: the webhook never arrived' });
});
