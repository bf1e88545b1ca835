// A withdrawal from request to payout: the user says where the USDC goes (the address is checked
// for its network before anything is sent), finance approves it and records the payout's
// transaction, and the user sees it completed.

import { expect, test } from '@playwright/test';
import {
  api,
  expectAccessible,
  freshAccount,
  grantFromFinance,
  purchase,
  screenshot,
  signIn,
  token,
} from './support.js';

const SOLANA = '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV';

test('request a withdrawal, finance approves and completes it, the user sees it completed', async ({ browser }) => {
  const account = freshAccount('withdrawer');
  await purchase(account, '80.00', 'usdc');

  const user = await (await browser.newContext()).newPage();
  await signIn(user, account);
  await user.goto('/');
  await user.getByRole('button', { name: 'Request Withdrawal' }).click();
  const dialog = user.getByRole('dialog', { name: 'Request Withdrawal' });
  await expect(dialog).toContainText('Withdrawable now: $80.00');
  await expect(dialog).toContainText(
    'reviewed by the finance team and typically processed within three to seven business days',
  );
  await expect(dialog).toContainText('Expected by');
  await dialog.getByLabel('Amount (USD)').fill('30');
  await dialog.getByLabel('Network').selectOption('ethereum');
  await dialog.getByLabel('USDC address').fill(SOLANA);
  await expect(dialog.getByText('an address on Ethereum is 0x followed by 40 hex digits')).toBeVisible();
  await dialog.getByLabel('Network').selectOption('solana');
  await dialog.getByLabel('Amount (USD)').fill('80.01');
  await dialog.getByRole('button', { name: 'Request Withdrawal' }).click();
  await expect(dialog.getByText('At most $80.00 can be withdrawn.')).toBeVisible();
  await dialog.getByLabel('Amount (USD)').fill('30');
  await expectAccessible(user, 'the withdrawal dialog');
  await screenshot(user, 'withdrawal-dialog');
  await dialog.getByRole('button', { name: 'Request Withdrawal' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Withdrawal requested' })).toContainText(
    '$30.00 to your Solana address',
  );
  await dialog.getByRole('button', { name: 'Done' }).click();
  const row = user.getByRole('region', { name: 'Withdrawals' }).getByRole('row').filter({ hasText: '$30.00' });
  await expect(row).toContainText('pending review');
  await expect(user.getByTestId('balance')).toHaveText('$50.00');

  const finance = await (await browser.newContext()).newPage();
  await signIn(finance, 'finance', 'credits:admin');
  await finance.goto('/finance');
  const queue = finance.getByRole('region', { name: 'Withdrawals' });
  const pending = queue.getByRole('row').filter({ hasText: account });
  await expect(pending).toContainText(SOLANA);
  await expectAccessible(finance, 'the finance queue');
  await screenshot(finance, 'finance');
  await pending.getByRole('button', { name: /^Approve/ }).click();
  await expect(pending).toHaveCount(0);
  await queue.getByRole('button', { name: 'Approved, to pay out' }).click();
  const approved = queue.getByRole('row').filter({ hasText: account });
  await approved.getByRole('button', { name: /^Complete/ }).click();
  const complete = finance.getByRole('dialog', { name: 'Complete withdrawal' });
  await expect(complete).toContainText(SOLANA);
  await complete
    .getByLabel('Payout transaction')
    .fill('5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW');
  await complete.getByRole('button', { name: 'Mark completed' }).click();
  await expect(complete).toBeHidden();

  await user.reload();
  const done = user.getByRole('region', { name: 'Withdrawals' }).getByRole('row').filter({ hasText: '$30.00' });
  await expect(done).toContainText('completed');
  await expect(done).toContainText('5VERv8NM');
  const stored = await api('GET', '/credits/withdrawals', { token: await token(account) });
  expect(stored.body.items[0]).toMatchObject({
    status: 'completed',
    amount: '30.00',
    destination: { network: 'solana', address: SOLANA },
  });
});

test('the user cancels a withdrawal still pending review and gets the credit back', async ({ page }) => {
  const account = freshAccount('canceller');
  await purchase(account, '20.00');
  const requested = await api('POST', '/credits/withdrawals', {
    token: await token(account),
    body: { amount: '12.00', destination: { network: 'base', address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' } },
  });
  expect(requested.status).toBe(201);
  await signIn(page, account);
  await page.goto('/');
  await expect(page.getByTestId('balance')).toHaveText('$8.00');
  await page.getByRole('button', { name: 'Cancel withdrawal of $12.00' }).click();
  await expect(
    page.getByRole('region', { name: 'Withdrawals' }).getByRole('row').filter({ hasText: '$12.00' }),
  ).toContainText('cancelled');
  await expect(page.getByTestId('balance')).toHaveText('$20.00');
});

test('finance grants promotional credit and sets an allowance; a user sees no Finance page', async ({
  page,
  browser,
}) => {
  const account = freshAccount('granted');
  await signIn(page, 'finance', 'credits:admin');
  await page.goto('/finance');
  const grant = await grantFromFinance(page, account, '15', 'Hackathon');
  await expect(grant.getByRole('status').filter({ hasText: 'Granted' })).toContainText('$15.00 promotional credit');
  const allowance = page.getByRole('region', { name: 'Negative allowance' });
  await allowance.getByLabel('Account (IO ID)').fill(account);
  await allowance.getByLabel('Allowance (USD)').fill('25');
  await allowance.getByRole('button', { name: 'Set allowance' }).click();
  await expect(allowance.getByRole('status')).toContainText('may now go $25.00 below zero');
  expect((await api('GET', '/credits/balance', { token: await token(account) })).body).toMatchObject({
    balance: '15.00',
    negativeAllowance: '25.00',
  });

  const user = await (await browser.newContext()).newPage();
  await signIn(user, account);
  await user.goto('/finance');
  await expect(user.getByRole('alert')).toContainText('This page is for the finance team');
  await expect(user.getByRole('link', { name: 'Finance' })).toHaveCount(0);
});

test('the local sign-in page: the demo user lands on Usage & Billing, the finance team also sees Finance', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in to Usage & Billing' })).toBeVisible();
  await page.getByRole('button', { name: 'Finance team' }).click();
  await expect(page.getByRole('heading', { name: 'Usage & Billing' })).toBeVisible();
  await page.getByRole('link', { name: 'Finance' }).click();
  await expect(page.getByRole('heading', { name: 'Finance' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Demo user' }).click();
  await expect(page.getByRole('heading', { name: 'Usage & Billing' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Finance' })).toHaveCount(0);
});
