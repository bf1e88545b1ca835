// Every view of the app at 1280 and 375 px wide: no serious or critical accessibility violation
// (axe-core), no sideways scrolling on a phone, and a screenshot of each under test-results/screens.

import { expect, type Page, test } from '@playwright/test';
import {
  advanceClock,
  api,
  expectAccessible,
  expectNoHorizontalScroll,
  freshAccount,
  grant,
  purchase,
  screenshot,
  signIn,
  token,
  WIDTHS,
} from './support.js';

const PRODUCTS = ['ray_cluster', 'vm', 'inference'] as const;

/** An account with something in every part of Usage & Billing, its usage spread over three products. */
async function livedIn(): Promise<string> {
  const account = freshAccount('views');
  await purchase(account, '120.00');
  await grant(account, '10.00', new Date(Date.now() + 12 * 86_400_000).toISOString());
  const service = await token('deployments', 'credits:service');
  for (let n = 1; n <= 6; n += 1) {
    const charged = await api('POST', '/credits/charges', {
      token: service,
      body: { accountId: account, deploymentId: `a100-${n}`, amount: `${n * 3}.25`, product: PRODUCTS[n % 3] },
      headers: { 'idempotency-key': `${account}-${n}` },
    });
    expect(charged.status).toBe(201);
    if (n === 2)
      await api('POST', `/credits/charges/${charged.body.chargeId}/refunds`, {
        token: service,
        body: { accountId: account, amount: '1.50' },
        headers: { 'idempotency-key': `${account}-r` },
      });
  }
  await api('POST', '/credits/withdrawals', {
    token: await token(account),
    body: {
      amount: '20.00',
      destination: { network: 'arbitrum', address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' },
    },
  });
  return account;
}

async function check(page: Page, name: string) {
  await expectAccessible(page, name);
  await expectNoHorizontalScroll(page, name);
  await screenshot(page, name);
}

for (const width of WIDTHS) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: width === 375 ? 812 : 900 } });

    test('sign-in', async ({ page }) => {
      await page.goto('/sign-in');
      await expect(page.getByRole('button', { name: 'Demo user' })).toBeVisible();
      await check(page, 'sign-in');
    });

    test('Usage & Billing, with its dialogs and the Notification Center', async ({ page }) => {
      const account = await livedIn();
      await signIn(page, account);
      await page.goto('/');
      await expect(
        page.getByRole('region', { name: 'Transactions' }).getByRole('row').filter({ hasText: 'tx_' }),
      ).toHaveCount(10);
      await expect(page.getByRole('region', { name: 'Credits Usage' }).locator('canvas')).toHaveCount(1);
      await check(page, 'usage-billing');

      await page.getByRole('button', { name: /Notification Center/ }).click();
      await expect(page.getByRole('region', { name: 'Notification Center' })).toBeVisible();
      await check(page, 'notifications');
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Buy IO Credits' }).click();
      await expect(page.getByRole('dialog', { name: 'Buy IO Credits' })).toBeVisible();
      await check(page, 'buy');
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Request Withdrawal' }).click();
      await expect(page.getByRole('dialog', { name: 'Request Withdrawal' })).toBeVisible();
      await check(page, 'request-withdrawal');
    });

    test('checkout, ready and waiting for credit', async ({ page }) => {
      const account = freshAccount('views-checkout');
      await purchase(account, '30.00');
      await signIn(page, account);
      await page.goto('/checkout?amount=24.75&deploymentId=h100-cluster-12');
      await expect(page.getByRole('button', { name: 'Pay & Deploy' })).toBeEnabled();
      await check(page, 'checkout');
      const drained = await api('POST', '/credits/charges', {
        token: await token('deployments', 'credits:service'),
        body: { accountId: account, deploymentId: 'elsewhere', amount: '30.00' },
        headers: { 'idempotency-key': `${account}-drain` },
      });
      expect(drained.status).toBe(201);
      await page.getByRole('button', { name: 'Pay & Deploy' }).click();
      await expect(page.getByRole('timer')).toBeVisible();
      await check(page, 'checkout-pending');
    });

    test('finance', async ({ page }) => {
      await livedIn();
      await signIn(page, 'finance', 'credits:admin');
      await page.goto('/finance');
      await expect(
        page.getByRole('region', { name: 'Withdrawals' }).getByRole('row').filter({ hasText: 'Arbitrum' }).first(),
      ).toBeVisible();
      await check(page, 'finance');
    });

    test('the local checkout', async ({ page }) => {
      const account = freshAccount('views-pay');
      const created = await api('POST', '/credits/purchases', {
        token: await token(account),
        body: { amount: '250.00', method: 'usdc' },
      });
      await page.goto(created.body.checkoutUrl);
      await expect(page.getByRole('button', { name: 'Pay $250.00' })).toBeVisible();
      await check(page, 'local-checkout');
    });
  });
}

test.afterAll(async () => {
  // Pending charges made here reach their deadlines without waiting for the next file.
  await advanceClock(301);
});
