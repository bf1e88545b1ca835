// Usage & Billing with real data behind it: the transactions log filtered, paged past 50 entries
// and exported as the API writes it; the usage chart from the API's buckets; the warnings a person
// needs to see; and errors shown rather than swallowed.

import { expect, test } from '@playwright/test';
import { api, expectExportedAsApi, freshAccount, grant, purchase, signIn, token } from './support.js';

const SERVICE = () => token('deployments', 'credits:service');

async function charge(accountId: string, amount: string, n: number) {
  const answer = await api('POST', '/credits/charges', {
    token: await SERVICE(),
    body: { accountId, deploymentId: `dep-${n}`, amount },
    headers: { 'idempotency-key': `${accountId}-${n}` },
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.chargeId as string;
}

test(
  'transactions: filtered by category and date, paged past 50 entries, exported as the same CSV the API ' + 'gives',
  async ({ page }) => {
    const account = freshAccount('log');
    await purchase(account, '100.00');
    for (let n = 1; n <= 55; n += 1) await charge(account, '0.50', n);
    await signIn(page, account);
    await page.goto('/');
    const card = page.getByRole('region', { name: 'Transactions' });
    const rows = card.getByRole('row').filter({ hasText: 'tx_' });

    await expect(rows).toHaveCount(20);
    await expect(rows.first()).toContainText('−$0.50');
    await card.getByRole('button', { name: 'Older' }).click();
    await expect(card.getByText('Page 2')).toBeVisible();
    await card.getByRole('button', { name: 'Older' }).click();
    await expect(card.getByText('Page 3')).toBeVisible();
    // 56 entries: 20, 20, then the last 16, the purchase last of all.
    await expect(rows).toHaveCount(16);
    await expect(rows.last()).toContainText('Credit Inflow');
    await expect(card.getByRole('button', { name: 'Older' })).toBeDisabled();
    await card.getByRole('button', { name: 'Newer' }).click();
    await expect(card.getByText('Page 2')).toBeVisible();
    await expect(rows).toHaveCount(20);

    await card.getByLabel('Category').selectOption('Credit Inflow');
    await expect(card.getByText('Page 1')).toBeVisible();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('+$100.00');
    await card.getByLabel('Category').selectOption('');
    await card.getByLabel('To (UTC)').fill('2020-01-01');
    await expect(card.getByText('No transactions match these filters.')).toBeVisible();
    await card.getByLabel('To (UTC)').fill('');
    await expect(rows).toHaveCount(20);

    expect(await expectExportedAsApi(card, account, '')).toHaveLength(57);
  },
);

test("the usage chart is drawn from the API's buckets, with the same figures as a table", async ({ page }) => {
  const account = freshAccount('usage');
  await purchase(account, '50.00');
  const first = await charge(account, '12.50', 1);
  await charge(account, '7.25', 2);
  const refunded = await api('POST', `/credits/charges/${first}/refunds`, {
    token: await SERVICE(),
    body: { accountId: account, amount: '2.50' },
    headers: { 'idempotency-key': `${account}-refund` },
  });
  expect(refunded.status).toBe(201);
  await signIn(page, account);
  await page.goto('/');
  const card = page.getByRole('region', { name: 'Credits Usage' });
  await expect(card).toContainText('Used $19.75, refunded $2.50, net $17.25');
  await expect(card.locator('canvas')).toHaveCount(1);
  const drawn = await card.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 0; i < data.length; i += 4)
      if (data[i + 3]! > 0 && (data[i]! < 200 || data[i + 1]! < 200)) painted += 1;
    return painted;
  });
  expect(drawn, 'the chart draws bars').toBeGreaterThan(200);

  const usage = await api('GET', '/credits/usage?granularity=day', { token: await token(account) });
  await card.getByText('Show as a table').click();
  const cells = await card
    .getByRole('table')
    .getByRole('row')
    .filter({ hasNot: page.getByRole('columnheader') })
    .allInnerTexts();
  // Charges that name no product are Other's; the last row is the total.
  expect(cells.map((row) => row.split('\t').slice(1))).toEqual(
    [...usage.body.buckets, usage.body.total].map((b: { usage: string; refunds: string; net: string }, i: number) => [
      i < usage.body.buckets.length ? 'Other' : 'All products',
      `$${b.usage}`,
      `$${b.refunds}`,
      `$${b.net}`,
    ]),
  );
  await card.getByRole('button', { name: 'Monthly' }).click();
  await expect(card).toContainText('in the last 12 months');
});

test(
  'credit expiring within 30 days is warned about; an account with only promotional credit sees why it can ' +
    'not withdraw',
  async ({ page }) => {
    const account = freshAccount('promo');
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
    await grant(account, '15.00', soon);
    await signIn(page, account);
    await page.goto('/');
    const warning = page.getByRole('status').filter({ hasText: 'Credits expiring within 30 days' });
    await expect(warning).toContainText('$15.00 promotional credit expires on');
    // Nothing used in the last 30 days: all of it would go unused.
    await expect(warning).toContainText('; at your current usage $15.00 of it will go unused.');
    await expect(page.getByRole('button', { name: 'Request Withdrawal' })).toBeDisabled();
    await expect(page.getByText('Withdrawals are available only for purchased credits.')).toBeVisible();
  },
);

test('an API error is shown with its detail, a network failure offers a retry', async ({ page }) => {
  const account = freshAccount('errors');
  await signIn(page, account);
  await page.route('**/credits/transactions**', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Service unavailable',
        status: 503,
        detail: 'The ledger is being upgraded; try again in a minute.',
        code: 'unavailable',
      }),
    }),
  );
  await page.goto('/');
  const card = page.getByRole('region', { name: 'Transactions' });
  await expect(card.getByRole('alert')).toContainText('The ledger is being upgraded; try again in a minute.');

  await page.unroute('**/credits/transactions**');
  await page.route('**/credits/usage**', (route) => route.abort('internetdisconnected'));
  await page.reload();
  const usage = page.getByRole('region', { name: 'Credits Usage' });
  await expect(usage.getByRole('alert')).toContainText('Can not reach IO Credits', { timeout: 20_000 });
  await page.unroute('**/credits/usage**');
  await usage.getByRole('button', { name: 'Try again' }).click();
  await expect(usage).toContainText('No usage in this period.');
  await expect(card.getByText('No transactions yet.')).toBeVisible();
});

test('a token the API refuses (401) sends the user back to sign-in', async ({ page }) => {
  await page.addInitScript(() =>
    sessionStorage.setItem(
      'io-credits:session',
      JSON.stringify({ token: 'aaa.bbb.ccc', sub: 'someone', name: 'someone', scopes: [] }),
    ),
  );
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in to Usage & Billing' })).toBeVisible();
});
