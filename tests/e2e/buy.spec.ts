// Buying IO Credits from the navigation bar, through the local checkout (a stand-in for Stripe and
// Spherepay that sends the server a correctly signed provider event), and back in the app: the
// balance, the Credit Inflow entry and the notification.

import { expect, test } from '@playwright/test';
import { api, expectAccessible, freshAccount, screenshot, signIn, token } from './support.js';

test(
  'buy credits by card: the local checkout, then back in the app the balance, the Credit Inflow entry and ' +
    'the notification',
  async ({ page }) => {
    const account = freshAccount('buyer-card');
    await signIn(page, account);
    await page.goto('/');
    await expect(page.getByTestId('balance')).toHaveText('$0.00');

    await page.getByRole('button', { name: 'Buy IO Credits' }).click();
    const dialog = page.getByRole('dialog', { name: 'Buy IO Credits' });
    await dialog.getByLabel('Amount (USD)').fill('25.50');
    await dialog.getByRole('radio', { name: 'USD (Credit/Debit Card)' }).check();
    await expectAccessible(page, 'the buy dialog');
    await screenshot(page, 'buy-dialog');
    await dialog.getByRole('button', { name: 'Continue to Stripe' }).click();

    await expect(page.getByText('Stripe', { exact: true })).toBeVisible();
    await expect(page.getByText('$25.50').first()).toBeVisible();
    await screenshot(page, 'local-checkout');
    await page.getByRole('button', { name: 'Pay $25.50' }).click();
    await expect(page.getByRole('heading', { name: 'Payment received' })).toBeVisible();
    await page.getByRole('link', { name: 'Return to IO Credits' }).click();

    await expect(page.getByRole('status').filter({ hasText: 'Purchase completed' })).toContainText(
      '$25.50 in IO Credits were added',
    );
    await expect(page.getByTestId('balance')).toHaveText('$25.50');
    await expect(page.getByRole('link', { name: /^Balance/ })).toHaveText('$25.50');
    const row = page.getByRole('row').filter({ hasText: 'Credit Inflow' });
    await expect(row).toContainText('+$25.50');
    await expect(row).toContainText('Purchase');

    await page.getByRole('button', { name: /Notification Center, 1 unread/ }).click();
    const center = page.getByRole('region', { name: 'Notification Center' });
    await expect(center).toContainText('Your purchase of 25.50 credits is complete.');
    await expectAccessible(page, 'the Notification Center');
    await screenshot(page, 'notification-center');
    await center.getByRole('button', { name: 'Mark read' }).click();
    await expect(page.getByRole('button', { name: 'Notification Center' })).toBeVisible();

    // The API agrees with what the app showed.
    const balance = await api('GET', '/credits/balance', { token: await token(account) });
    expect(balance.body).toMatchObject({ balance: '25.50', hasPurchased: true });
  },
);

test('buy credits by USDC with the keyboard alone', async ({ page }) => {
  const account = freshAccount('buyer-usdc');
  await signIn(page, account);
  await page.goto('/');
  await expect(page.getByTestId('balance')).toHaveText('$0.00');

  // Tab from the top of the page to Buy IO Credits, as a keyboard user would.
  const buy = page.getByRole('button', { name: 'Buy IO Credits' });
  for (let presses = 0; presses < 10 && !(await buy.evaluate((el) => el === document.activeElement)); presses += 1)
    await page.keyboard.press('Tab');
  await expect(buy).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Buy IO Credits' });
  const amount = dialog.getByLabel('Amount (USD)');
  await amount.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('40');
  await page.keyboard.press('Tab');
  // The method radios: the first is USDC; the arrow keys move within the group.
  await expect(dialog.getByRole('radio', { name: 'USD (Credit/Debit Card)' })).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(dialog.getByRole('radio', { name: 'USDC' })).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Continue to Spherepay' })).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page.getByText('Spherepay', { exact: true })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Pay $40.00' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  const back = page.getByRole('link', { name: 'Return to IO Credits' });
  for (let presses = 0; presses < 10 && !(await back.evaluate((el) => el === document.activeElement)); presses += 1)
    await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');

  await expect(page.getByTestId('balance')).toHaveText('$40.00');
  await expect(page.getByRole('row').filter({ hasText: 'Credit Inflow' })).toContainText('+$40.00');
});

test('the buy dialog explains an amount it will not take, and sends nothing', async ({ page }) => {
  const account = freshAccount('buyer-bounds');
  await signIn(page, account);
  await page.goto('/');
  await page.getByRole('button', { name: 'Buy IO Credits' }).click();
  const dialog = page.getByRole('dialog', { name: 'Buy IO Credits' });
  // The bounds are the deployment's, as GET /credits/limits answers them (this server: 9,000.00 at most).
  await expect(dialog.getByText('From $5.00 to $9,000.00')).toBeVisible();
  for (const [typed, message] of [
    ['4.99', 'The smallest purchase is $5.00.'],
    ['9000.01', 'The largest purchase is $9,000.00.'],
    ['12.345', 'Enter an amount in dollars and cents'],
  ] as const) {
    await dialog.getByLabel('Amount (USD)').fill(typed);
    await dialog.getByRole('button', { name: /Continue to/ }).click();
    await expect(dialog.getByText(message)).toBeVisible();
  }
  await expect(page).toHaveURL(/\/$/);
  const purchases = await api('GET', '/credits/transactions', { token: await token(account) });
  expect(purchases.body.items).toEqual([]);
});
