// Sending a money-moving action again after its answer was lost (the server applied it, the
// connection dropped before the answer arrived) moves the money once: the app sends the same
// Idempotency-Key for the same action until it succeeds, and another key once the form says
// something else, which the API would otherwise refuse as a reused key.

import { expect, type Locator, type Page, test } from '@playwright/test';
import { api, freshAccount, grantFromFinance, loseFirstAnswer, purchase, signIn, token } from './support.js';

const SOLANA = '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV';

/** What the API has for the account: its balance and its withdrawals' amounts, newest first. */
async function ledger(account: string) {
  const balance = await api('GET', '/credits/balance', { token: await token(account) });
  const withdrawals = await api('GET', '/credits/withdrawals', { token: await token(account) });
  return {
    balance: balance.body.balance,
    withdrawals: withdrawals.body.items.map((w: { amount: string }) => w.amount),
  };
}

async function askForWithdrawal(dialog: Locator, amount: string) {
  await dialog.getByLabel('Amount (USD)').fill(amount);
  await dialog.getByLabel('USDC address').fill(SOLANA);
  await dialog.getByRole('button', { name: 'Request Withdrawal' }).click();
}

/** A user with 80.00 of purchased credit asks for 30.00, which is applied, but the answer is lost. */
async function withdrawalAnswerLost(page: Page, prefix: string) {
  const account = freshAccount(prefix);
  await purchase(account, '80.00', 'usdc');
  await signIn(page, account);
  const keys = await loseFirstAnswer(page, /\/credits\/withdrawals$/);
  await page.goto('/');
  await page.getByRole('button', { name: 'Request Withdrawal' }).click();
  const dialog = page.getByRole('dialog', { name: 'Request Withdrawal' });
  await askForWithdrawal(dialog, '30');
  await expect(dialog.getByRole('alert').filter({ hasText: 'The withdrawal was not requested' })).toContainText(
    'could not be reached',
  );
  return { account, keys, dialog };
}

const requested = (dialog: Locator) => dialog.getByRole('status').filter({ hasText: 'Withdrawal requested' });

test('finance grants again after a lost answer: the account is credited once', async ({ page }) => {
  const account = freshAccount('grant-lost');
  await signIn(page, 'finance', 'credits:admin');
  const keys = await loseFirstAnswer(page, /\/admin\/accounts\/[^/]+\/grants$/);
  await page.goto('/finance');
  const grant = await grantFromFinance(page, account, '15', 'Hackathon');
  await expect(grant.getByRole('alert').filter({ hasText: 'Not granted' })).toContainText('could not be reached');

  await grant.getByRole('button', { name: 'Grant credit' }).click();
  await expect(grant.getByRole('status').filter({ hasText: 'Granted' })).toContainText('$15.00 promotional credit');
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  const grants = await api('GET', '/credits/transactions?type=promotional_grant', { token: await token(account) });
  expect(grants.body.items.map((e: { amount: string }) => e.amount)).toEqual(['15.00']);
  expect((await ledger(account)).balance).toBe('15.00');

  // Once granted, the same grant again is a second grant, not a replay of the first.
  await grant.getByRole('button', { name: 'Grant credit' }).click();
  await expect.poll(async () => (await ledger(account)).balance).toBe('30.00');
});

test('a withdrawal asked for again after a lost answer, even from a reopened dialog, is one withdrawal', async ({
  page,
}) => {
  const { account, keys, dialog } = await withdrawalAnswerLost(page, 'withdraw-lost');
  // The person gives up on this dialog, opens a new one and asks for the same withdrawal.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Request Withdrawal' }).click();
  await askForWithdrawal(dialog, '30');
  await expect(requested(dialog)).toContainText('$30.00');
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  expect(await ledger(account)).toEqual({ balance: '50.00', withdrawals: ['30.00'] });
});

test('a withdrawal for another amount after a lost answer is requested, not refused as a reused key', async ({
  page,
}) => {
  const { account, keys, dialog } = await withdrawalAnswerLost(page, 'withdraw-changed');
  await dialog.getByLabel('Amount (USD)').fill('20');
  await dialog.getByRole('button', { name: 'Request Withdrawal' }).click();
  await expect(requested(dialog)).toContainText('$20.00');
  expect(keys[1]).not.toBe(keys[0]);
  // The first request was applied before its answer was lost: both are with the finance team.
  expect(await ledger(account)).toEqual({ balance: '30.00', withdrawals: ['20.00', '30.00'] });
});

test('a purchase for another amount after a lost answer gets its own key and goes through', async ({ page }) => {
  const account = freshAccount('buy-changed');
  await signIn(page, account);
  const keys = await loseFirstAnswer(page, /\/credits\/purchases$/);
  await page.goto('/');
  await page.getByRole('button', { name: 'Buy IO Credits' }).click();
  const dialog = page.getByRole('dialog', { name: 'Buy IO Credits' });
  await dialog.getByLabel('Amount (USD)').fill('25');
  await dialog.getByRole('button', { name: 'Continue to Stripe' }).click();
  await expect(dialog.getByRole('alert').filter({ hasText: 'The checkout could not be opened' })).toContainText(
    'could not be reached',
  );

  await dialog.getByLabel('Amount (USD)').fill('30');
  await dialog.getByRole('button', { name: 'Continue to Stripe' }).click();
  await expect(page.getByRole('button', { name: 'Pay $30.00' })).toBeVisible();
  expect(keys).toHaveLength(2);
  expect(keys[1]).not.toBe(keys[0]);
  await page.getByRole('button', { name: 'Pay $30.00' }).click();
  await expect(page.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  // The 25.00 purchase whose answer was lost was never paid: only the 30.00 came in.
  const inflow = await api('GET', '/credits/transactions?type=purchase', { token: await token(account) });
  expect(inflow.body.items.map((e: { amount: string }) => e.amount)).toEqual(['30.00']);
});
