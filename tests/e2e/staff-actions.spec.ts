// Staff actions in the app (SPEC §14): a payout over the dual-approval threshold waits in Finance
// for a second, different member's approval, and nobody is offered an action on their own
// account's withdrawal; Accounts shows support everything about one IO ID, with grants and the
// allowance in its context; the Audit log names who did what, filters, and exports the API's CSV.

import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { admin, api, checkAtEveryWidth, freshAccount, purchase, signIn, token } from './support.js';

const SOLANA = '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV';

async function requestWithdrawal(accountId: string, amount: string): Promise<string> {
  const answer = await api('POST', '/credits/withdrawals', {
    token: await token(accountId),
    body: { amount, destination: { network: 'solana', address: SOLANA } },
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.withdrawalId as string;
}

test('a large payout needs two different members of finance; nobody acts on their own', async ({ browser }) => {
  const account = freshAccount('large-payout');
  await purchase(account, '2500.00');
  const withdrawalId = await requestWithdrawal(account, '1500.00');
  // A member of finance with credit of their own asks for a payout too.
  const own = freshAccount('fin-member');
  await purchase(own, '20.00');
  await requestWithdrawal(own, '20.00');

  const first = await (await browser.newContext()).newPage();
  await signIn(first, own, 'credits:admin');
  await first.goto('/finance');
  const queue = first.getByRole('region', { name: 'Withdrawals' });
  const mine = queue.getByRole('row').filter({ hasText: own });
  await expect(mine).toContainText('Your own account: another member acts on it');
  await expect(mine.getByRole('button')).toHaveCount(0);

  const row = queue.getByRole('row').filter({ hasText: account });
  await expect(row).toContainText('0 of 2');
  await row.getByRole('button', { name: /^Approve/ }).click();
  await expect(row).toContainText('1 of 2: needs a second approver');
  await expect(row).toContainText('You approved it');
  await expect(row.getByRole('button', { name: /^Approve/ })).toHaveCount(0);
  await expect(queue.getByRole('status').filter({ hasText: 'Waiting for a second approval' })).toContainText(
    '1 withdrawal over the dual-approval threshold has one approval',
  );
  await checkAtEveryWidth(first, 'finance-second-approval');

  const second = await (await browser.newContext()).newPage();
  await signIn(second, 'finance-2', 'credits:admin');
  await second.goto('/finance');
  const theirRow = second.getByRole('region', { name: 'Withdrawals' }).getByRole('row').filter({ hasText: account });
  await expect(theirRow).toContainText('1 of 2');
  await theirRow.getByRole('button', { name: /^Approve/ }).click();
  await expect(theirRow).toHaveCount(0);
  await second.getByRole('button', { name: 'Approved, to pay out' }).click();
  const approved = second.getByRole('region', { name: 'Withdrawals' }).getByRole('row').filter({ hasText: account });
  await expect(approved).toContainText('2 of 2');
  await expect(approved).toContainText('finance-2');

  const stored = await admin('GET', '/admin/withdrawals?status=approved');
  const withdrawal = stored.body.items.find((w: { withdrawalId: string }) => w.withdrawalId === withdrawalId);
  expect(withdrawal.approvals.map((a: { sub: string }) => a.sub)).toEqual([own, 'finance-2']);
});

test('Accounts: support looks up an IO ID, sees the account, and grants in its context', async ({ page }) => {
  const account = freshAccount('support-case');
  await purchase(account, '40.00');
  await requestWithdrawal(account, '15.00');
  await signIn(page, 'finance', 'credits:admin');
  await page.goto('/finance');
  await page.getByRole('navigation', { name: 'Finance' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByLabel('IO ID').fill(account);
  await page.getByRole('button', { name: 'Look up' }).click();

  const summary = page.getByRole('region', { name: account });
  await expect(summary).toContainText('Balance');
  await expect(summary).toContainText('$25.00');
  await expect(summary).toContainText('Pending withdrawals');
  const counts = page.getByRole('region', { name: 'By status' });
  await expect(counts.getByRole('list', { name: 'withdrawals' })).toContainText('pending review 1');
  await expect(counts.getByRole('list', { name: 'purchases' })).toContainText('completed 1');
  await expect(page.getByRole('region', { name: 'Settings' })).toContainText('Low-balance alert');

  const grantForm = page.getByRole('region', { name: 'Grant promotional credit' });
  await expect(grantForm.getByLabel('Account (IO ID)')).toHaveCount(0);
  await grantForm.getByLabel('Amount (USD)').fill('10');
  await grantForm.getByLabel('Description').fill('Sorry for the outage');
  await grantForm.getByRole('button', { name: 'Grant credit' }).click();
  await expect(grantForm.getByRole('status').filter({ hasText: 'Granted' })).toContainText(account);
  await expect(summary).toContainText('$35.00');
  const actions = page.getByRole('region', { name: 'Staff actions on this account' });
  await expect(actions.getByRole('row').filter({ hasText: 'grant.create' })).toContainText('finance');
  await checkAtEveryWidth(page, 'finance-accounts');
});

test('the Audit log names who did what, filters by member and account, and exports the API CSV', async ({ page }) => {
  const account = freshAccount('audited');
  const granted = await api('POST', `/admin/accounts/${account}/grants`, {
    token: await token('auditor-ann', 'credits:admin'),
    body: { amount: '7.00', description: 'Audited grant' },
  });
  expect(granted.status, granted.text).toBe(201);
  const allowance = await api('PUT', `/admin/accounts/${account}/negative-allowance`, {
    token: await token('auditor-bob', 'credits:admin'),
    body: { amount: '30' },
  });
  expect(allowance.status, allowance.text).toBe(200);

  await signIn(page, 'finance', 'credits:admin');
  await page.goto('/finance/audit');
  const card = page.getByRole('region', { name: 'Staff actions' });
  await card.getByLabel('Account (IO ID)').fill(account);
  await card.getByRole('button', { name: 'Apply' }).click();
  const rows = card.getByRole('row');
  await expect(rows.filter({ hasText: 'allowance.set' })).toContainText('auditor-bob');
  await expect(rows.filter({ hasText: 'allowance.set' })).toContainText('negativeAllowance 30.00');
  await expect(rows.filter({ hasText: 'grant.create' })).toContainText('auditor-ann');
  await checkAtEveryWidth(page, 'finance-audit');

  await card.getByLabel('Member of staff').fill('auditor-ann');
  await card.getByRole('button', { name: 'Apply' }).click();
  await expect(rows.filter({ hasText: 'allowance.set' })).toHaveCount(0);
  await expect(rows.filter({ hasText: 'grant.create' })).toHaveCount(1);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const exported = readFileSync(await download.path(), 'utf8');
  const fromApi = await admin('GET', `/admin/audit?format=csv&actor=auditor-ann&accountId=${account}`);
  expect(exported).toBe(fromApi.text);
  expect(exported.trim().split('\r\n')).toHaveLength(2);

  // Users are refused the page's data.
  const asUser = await api('GET', '/admin/audit', { token: await token(account) });
  expect(asUser.status).toBe(403);
});
