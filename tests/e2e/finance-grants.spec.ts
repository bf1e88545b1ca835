// Finance grants scoped promotional credit (SPEC §10): the grant form's product checkboxes limit
// what the credit pays for, and the lot the ledger made carries those products; none checked, the
// credit pays for any product.

import { expect, test } from '@playwright/test';
import { admin, checkAtEveryWidth, freshAccount, grantFromFinance, signIn } from './support.js';

async function lots(accountId: string) {
  const balance = await admin('GET', `/credits/balance?accountId=${accountId}`);
  expect(balance.status, balance.text).toBe(200);
  return balance.body.lots as { amount: string; products?: string[] }[];
}

test('Finance grants credit for some products only, and the lot pays only those', async ({ page }) => {
  const account = freshAccount('scoped-grant');
  await signIn(page, 'finance', 'credits:admin');
  await page.goto('/finance');
  const form = page.getByRole('region', { name: 'Grant promotional credit' });
  const products = form.getByRole('group', { name: 'Pays for' });
  await expect(products.getByRole('checkbox')).toHaveCount(6);
  await products.getByRole('checkbox', { name: 'Inference' }).check();
  // By keyboard too: Space checks the focused box.
  await products.getByRole('checkbox', { name: 'VMs' }).focus();
  await page.keyboard.press('Space');
  await expect(products.getByRole('checkbox', { name: 'VMs' })).toBeChecked();
  await checkAtEveryWidth(page, 'finance-grant-scoped');

  await grantFromFinance(page, account, '25', 'Inference launch credit');
  await expect(form.getByRole('status').filter({ hasText: 'Granted' })).toContainText(
    `$25.00 promotional credit for ${account}, VMs and Inference only.`,
  );
  expect(await lots(account)).toMatchObject([{ amount: '25.00', products: ['vm', 'inference'] }]);

  // Unchecked again, the next grant pays for any product.
  await products.getByRole('checkbox', { name: 'Inference' }).uncheck();
  await products.getByRole('checkbox', { name: 'VMs' }).uncheck();
  await form.getByLabel('Amount (USD)').fill('5');
  await form.getByRole('button', { name: 'Grant credit' }).click();
  await expect(form.getByRole('status').filter({ hasText: 'Granted' })).toContainText(
    `$5.00 promotional credit for ${account}.`,
  );
  const granted = await lots(account);
  expect(granted).toHaveLength(2);
  expect(granted.find((lot) => lot.amount === '5.00')?.products).toBeUndefined();
});
