// The compute checkout: IO Credits as the payment method, Pay & Deploy enabled exactly when
// /credits/check says the charge will be paid, and a deployment that waits for credit counting
// down its grace window until it is paid or fails.

import { expect, type Page, test } from '@playwright/test';
import { advanceClock, api, expectAccessible, freshAccount, purchase, screenshot, signIn, token } from './support.js';

async function openCheckout(page: Page, amount: string, deploymentId: string) {
  await page.goto(`/checkout?amount=${amount}&deploymentId=${deploymentId}`);
  await expect(page.getByRole('heading', { name: 'IO Credits' })).toBeVisible();
  await expect(page.getByTestId('checkout-balance')).toBeVisible();
}

/** Another deployment spends the balance between the check and the click, so the charge must wait. */
async function spendEverything(accountId: string, amount: string) {
  const spent = await api('POST', '/credits/charges', {
    token: await token('deployments', 'credits:service'),
    body: { accountId, deploymentId: `other-${accountId}`, amount },
    headers: { 'idempotency-key': `drain-${accountId}` },
  });
  expect(spent.status, spent.text).toBe(201);
}

test('Pay & Deploy is paid at once when the balance covers it', async ({ page }) => {
  const account = freshAccount('deploy-paid');
  await purchase(account, '50.00');
  await signIn(page, account);
  await openCheckout(page, '12.50', 'gpu-cluster-7');
  await expect(page.getByTestId('checkout-balance')).toHaveText('$50.00');
  await expect(page.getByText('Your balance covers this deployment.')).toBeVisible();
  await expectAccessible(page, 'the checkout');
  await screenshot(page, 'checkout');
  await page.getByRole('button', { name: 'Pay & Deploy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Paid: your deployment is starting' })).toContainText(
    'Balance now $37.50',
  );
  const log = await api('GET', '/credits/transactions?type=usage', { token: await token(account) });
  expect(log.body.items.map((e: { amount: string }) => e.amount)).toEqual(['-12.50']);
});

test('Pay & Deploy uses the negative allowance when the balance falls short, and says so', async ({ page }) => {
  const account = freshAccount('deploy-allowance');
  await purchase(account, '5.00');
  await signIn(page, account);
  await openCheckout(page, '12.00', 'vm-3');
  await expect(page.getByRole('status').filter({ hasText: 'Uses your negative allowance' })).toContainText(
    '$7.00 short',
  );
  await page.getByRole('button', { name: 'Pay & Deploy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Paid' })).toContainText(
    '$7.00 of it from your negative allowance',
  );
  expect((await api('GET', '/credits/balance', { token: await token(account) })).body).toMatchObject({
    balance: '-7.00',
    debt: '7.00',
  });
});

test('Pay & Deploy stays disabled beyond the allowance, with Buy IO Credits at hand', async ({ page }) => {
  const account = freshAccount('deploy-short');
  await signIn(page, account);
  await openCheckout(page, '30.00', 'bare-metal-1');
  await expect(page.getByRole('status').filter({ hasText: 'Not enough IO Credits' })).toContainText(
    'You need $30.00 more.',
  );
  await expect(page.getByRole('button', { name: 'Pay & Deploy' })).toBeDisabled();
});

test('a deployment waiting for credit is paid when credit bought in another tab arrives inside the countdown', async ({
  page,
  context,
}) => {
  const account = freshAccount('deploy-pending');
  await purchase(account, '20.00');
  await signIn(page, account);
  await openCheckout(page, '15.00', 'ray-cluster-2');
  await spendEverything(account, '20.00');
  await page.getByRole('button', { name: 'Pay & Deploy' }).click();

  const waiting = page.getByRole('status').filter({ hasText: 'Waiting for payment' });
  await expect(waiting).toContainText('$15.00 short');
  await expect(page.getByRole('timer')).toHaveText(/^[45]:\d\d$/);
  await expectAccessible(page, 'a checkout waiting for credit');
  await screenshot(page, 'checkout-pending');

  await waiting.getByRole('button', { name: 'Buy IO Credits' }).click();
  const dialog = page.getByRole('dialog', { name: 'Buy IO Credits' });
  await expect(dialog.getByLabel('Amount (USD)')).toHaveValue('15.00');
  const [providerTab] = await Promise.all([
    context.waitForEvent('page'),
    dialog.getByRole('button', { name: 'Continue to Stripe (new tab)' }).click(),
  ]);
  await providerTab.getByRole('button', { name: 'Pay $15.00' }).click();
  await expect(providerTab.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  await providerTab.close();

  await expect(dialog.getByRole('status').filter({ hasText: 'Credits added' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Paid: your deployment is starting' })).toContainText(
    'The credit you added covered it',
  );
  const charges = await api('GET', '/credits/transactions?type=usage', { token: await token(account) });
  expect(charges.body.items.map((e: { amount: string }) => e.amount)).toEqual(['-15.00', '-20.00']);
});

test('a deployment waiting for credit fails when the clock passes its deadline', async ({ page }) => {
  const account = freshAccount('deploy-late');
  await purchase(account, '10.00');
  await signIn(page, account);
  // 12.00 fits 10.00 of credit plus the allowance now; once the 10.00 is spent elsewhere it is beyond the allowance.
  await openCheckout(page, '12.00', 'vm-late');
  await spendEverything(account, '10.00');
  await page.getByRole('button', { name: 'Pay & Deploy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for payment' })).toBeVisible();

  await advanceClock(301);
  await expect(page.getByRole('alert').filter({ hasText: 'The deployment failed' })).toContainText(
    'nothing was charged',
  );
  expect((await api('GET', '/credits/balance', { token: await token(account) })).body.balance).toBe('0.00');
});

test('a checkout link without its amount or deployment says what it needs', async ({ page }) => {
  await signIn(page, freshAccount('deploy-bad-link'));
  await page.goto('/checkout?amount=abc');
  await expect(page.getByRole('alert')).toContainText('This checkout link is incomplete');
});
