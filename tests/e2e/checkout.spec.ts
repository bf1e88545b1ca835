// The compute checkout: IO Credits as the payment method, Pay & Deploy enabled exactly when
// /credits/check says the charge will be paid, and a deployment that waits for credit counting
// down its grace window until it is paid or fails.

import { expect, type Page, test } from '@playwright/test';
import {
  advanceClock,
  api,
  checkAtEveryWidth,
  expectAccessible,
  freshAccount,
  grant,
  purchase,
  screenshot,
  signIn,
  token,
} from './support.js';

async function openCheckout(page: Page, amount: string, deploymentId: string, more = '') {
  await page.goto(`/checkout?amount=${amount}&deploymentId=${deploymentId}${more}`);
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

/**
 * A new account with 10.00 of credit at the checkout of a 12.00 deployment, which fits the credit
 * plus the allowance; the 10.00 is then spent elsewhere, so Pay & Deploy makes a charge that waits.
 * Answers the account and the waiting charge's id.
 */
async function waitingCharge(page: Page, prefix: string, deploymentId: string) {
  const account = freshAccount(prefix);
  await purchase(account, '10.00');
  await signIn(page, account);
  await openCheckout(page, '12.00', deploymentId);
  await spendEverything(account, '10.00');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/credits/charges') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Pay & Deploy' }).click(),
  ]);
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for payment' })).toBeVisible();
  return { account, chargeId: (await answer.json()).chargeId as string };
}

/** The usage entries of the account, newest first, and its balance, as the API has them. */
async function ledger(account: string) {
  const usage = await api('GET', '/credits/transactions?type=usage', { token: await token(account) });
  const balance = await api('GET', '/credits/balance', { token: await token(account) });
  return { usage: usage.body.items.map((e: { amount: string }) => e.amount), balance: balance.body.balance };
}

const paid = (page: Page) => page.getByRole('status').filter({ hasText: 'Paid: your deployment is starting' });

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
  const { account } = await waitingCharge(page, 'deploy-late', 'vm-late');
  await advanceClock(301);
  await expect(page.getByRole('alert').filter({ hasText: 'The deployment failed' })).toContainText(
    'nothing was charged',
  );
  expect((await api('GET', '/credits/balance', { token: await token(account) })).body.balance).toBe('0.00');
});

test('a deployment that failed for want of credit is paid by a new charge when the user pays again', async ({
  page,
}) => {
  const { account } = await waitingCharge(page, 'deploy-again', 'vm-again');
  await advanceClock(301);
  await expect(page.getByRole('alert').filter({ hasText: 'The deployment failed' })).toBeVisible();

  // Credit arrives; the user comes back to the same checkout link and pays again.
  await purchase(account, '20.00');
  await openCheckout(page, '12.00', 'vm-again');
  await page.getByRole('button', { name: 'Pay & Deploy' }).click();
  await expect(paid(page)).toContainText('Balance now $8.00');
  // Paid is final: the same checkout again shows that charge and charges nothing more.
  await openCheckout(page, '12.00', 'vm-again');
  await page.getByRole('button', { name: 'Pay & Deploy' }).click();
  await expect(paid(page)).toBeVisible();
  expect(await ledger(account)).toEqual({ usage: ['-12.00', '-10.00'], balance: '8.00' });
});

test('a waiting deployment the deployment system cancelled can be paid again from the same page', async ({ page }) => {
  const { account, chargeId } = await waitingCharge(page, 'deploy-cancelled', 'vm-cancelled');
  const cancelled = await api('POST', `/credits/charges/${chargeId}/cancel?accountId=${account}`, {
    token: await token('deployments', 'credits:service'),
  });
  expect(cancelled.status, cancelled.text).toBe(200);
  const ended = page.getByRole('alert').filter({ hasText: 'The deployment was cancelled' });
  await expect(ended).toContainText('Nothing was charged.');
  await expectAccessible(page, 'a checkout whose charge was cancelled');
  await screenshot(page, 'checkout-cancelled');

  await purchase(account, '20.00');
  await ended.getByRole('button', { name: 'Pay & Deploy again' }).click();
  await expect(paid(page)).toContainText('Balance now $8.00');
  expect(await ledger(account)).toEqual({ usage: ['-12.00', '-10.00'], balance: '8.00' });
});

test('a checkout for a product names it, is checked for it, and its charge is for it, paid by its own credit', async ({
  page,
}) => {
  const account = freshAccount('deploy-product');
  await grant(account, '20.00', undefined, ['inference']);
  await purchase(account, '5.00');
  await signIn(page, account);
  const checked = page.waitForRequest((r) => r.url().includes('/credits/check?'));
  await openCheckout(page, '15.00', 'llm-endpoint-3', '&product=inference&projectId=research');
  expect(new URL((await checked).url()).searchParams.get('product')).toBe('inference');
  const order = page.getByRole('region', { name: 'Deployment' });
  await expect(order.getByRole('definition')).toHaveText(['Inference', 'llm-endpoint-3', 'research', '$15.00']);
  await expect(page.getByText('Your balance covers this deployment.')).toBeVisible();
  await checkAtEveryWidth(page, 'checkout-product');
  await page.getByRole('button', { name: 'Pay & Deploy' }).click();
  await expect(paid(page)).toContainText('Balance now $10.00');
  const usage = await api('GET', '/credits/transactions?type=usage', { token: await token(account) });
  expect(usage.body.items).toMatchObject([
    {
      amount: '-15.00',
      product: 'inference',
      deploymentId: 'llm-endpoint-3',
      projectId: 'research',
      paidFrom: [{ kind: 'promotional', amount: '15.00' }],
    },
  ]);

  // The inference credit left can not pay a VM: what VMs may use is the purchased 5.00.
  await openCheckout(page, '16.00', 'vm-7', '&product=vm');
  await expect(page.getByRole('region', { name: 'Deployment' }).getByRole('definition').first()).toHaveText('VMs');
  await expect(page.getByTestId('checkout-balance')).toHaveText('$10.00');
  await expect(page.getByTestId('checkout-available')).toHaveText('$5.00');
  await expect(page.getByRole('status').filter({ hasText: 'Not enough IO Credits' })).toContainText(
    'You need $11.00 more.',
  );
  await expect(page.getByRole('button', { name: 'Pay & Deploy' })).toBeDisabled();
  await checkAtEveryWidth(page, 'checkout-product-short');
});

test('a checkout link without its amount or deployment says what it needs', async ({ page }) => {
  await signIn(page, freshAccount('deploy-bad-link'));
  await page.goto('/checkout?amount=abc');
  await expect(page.getByRole('alert')).toContainText('This checkout link is incomplete');
  await page.goto('/checkout?amount=5.00&deploymentId=vm-1&product=quantum');
  await expect(page.getByRole('alert')).toContainText('may name the product (ray_cluster, vm,');
});
