// Settings: auto top-up starts from its defaults and says in words what it will do, with what this
// month's top-ups have used of the limit; the user sets the low-balance alert, adds a webhook
// endpoint (its secret shown once), sees the events a charge sends to it delivered, sends one
// again, and removes the endpoint.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { verifyWebhook } from '../../core/webhooks/signature.js';
import {
  api,
  checkAtEveryWidth,
  expectAccessible,
  expectNoHorizontalScroll,
  freshAccount,
  purchase,
  screenshot,
  signIn,
  token,
} from './support.js';

test('auto top-up starts from sensible amounts and says in words what it will do', async ({ page }) => {
  await signIn(page, freshAccount('topup-defaults'));
  await page.goto('/settings');
  const topUp = page.getByRole('region', { name: 'Auto top-up' });
  await expect(topUp.getByLabel('When the balance is below (USD)')).toHaveValue('10.00');
  await expect(topUp.getByLabel('Top up by (USD)')).toHaveValue('50.00');
  await expect(topUp.getByLabel('At most per month (USD)')).toHaveValue('500.00');
  const rule = topUp.getByTestId('auto-top-up-rule');
  await expect(rule).toHaveText(
    'Off: nothing is charged. Turned on: when your balance falls below $10.00, your saved card is charged $50.00 ' +
      '— at most $500.00 a month.',
  );
  await expect(topUp.getByRole('meter', { name: 'Top-ups this month' })).toHaveAccessibleDescription(
    '$0.00 of $500.00 used this month',
  );
  await checkAtEveryWidth(page, 'settings-auto-top-up-defaults');

  await topUp.getByLabel('When the balance is below (USD)').fill('25.5');
  await topUp.getByLabel('At most per month (USD)').fill('1200');
  await expect(rule).toContainText(
    'when your balance falls below $25.50, your saved card is charged $50.00 — at most $1,200.00 a month.',
  );
  await topUp.getByLabel('Top up by (USD)').fill('fifty');
  await expect(rule).toHaveText('Enter the amounts in dollars and cents to see what auto top-up will do.');
});

test('save a card and turn auto top-up on: a waiting deployment is paid by it', async ({ page }) => {
  const account = freshAccount('topup');
  await purchase(account, '5.00');
  await signIn(page, account);
  await page.goto('/settings');
  const topUp = page.getByRole('region', { name: 'Auto top-up' });
  await expect(topUp).toContainText('No card saved yet.');
  await topUp.getByRole('button', { name: 'Save a card' }).click();
  await page.getByRole('button', { name: 'Visa (pays)' }).click();
  await expect(page.getByRole('heading', { name: 'Card saved' })).toBeVisible();
  await page.getByRole('link', { name: 'Return to IO Credits' }).click();
  await expect(topUp).toContainText('Saved card: Visa •••• 4242.');
  await topUp.getByLabel('Top up automatically').check();
  await topUp.getByLabel('When the balance is below (USD)').fill('1');
  await topUp.getByLabel('Top up by (USD)').fill('4');
  await topUp.getByRole('button', { name: 'Save auto top-up' }).click();
  await expect(topUp.getByText('A top-up is between $5.00 and $10,000.00.')).toBeVisible();
  await topUp.getByLabel('Top up by (USD)').fill('40');
  await topUp.getByLabel('At most per month (USD)').fill('100');
  await expect(topUp.getByTestId('auto-top-up-rule')).toHaveText(
    'When your balance falls below $1.00, your saved card is charged $40.00 — at most $100.00 a month.',
  );
  await topUp.getByRole('button', { name: 'Save auto top-up' }).click();
  await expect(topUp.getByRole('status').filter({ hasText: 'Auto top-up saved' })).toBeVisible();
  await expect(topUp).toContainText('$0.00 of $100.00 used this month');
  await expectAccessible(page, 'auto top-up settings');
  await screenshot(page, 'settings-auto-top-up');

  // 5.00 - 30.00 is beyond the 10.00 allowance: the charge waits, and the top-up pays it.
  const charged = await api('POST', '/credits/charges', {
    token: await token('deployments', 'credits:service'),
    headers: { 'idempotency-key': `${account}-deploy` },
    body: { accountId: account, deploymentId: `${account}-dep`, amount: '30.00' },
  });
  expect(charged.status).toBe(202);
  await expect
    .poll(
      async () =>
        (await api('GET', `/credits/charges/${charged.body.chargeId}`, { token: await token(account) })).body.status,
    )
    .toBe('paid');
  await page.reload();
  const used = topUp.getByRole('meter', { name: 'Top-ups this month' });
  await expect(used).toHaveAccessibleDescription('$40.00 of $100.00 used this month');
  await expect(used).toHaveAttribute('value', '40');
  await checkAtEveryWidth(page, 'settings-auto-top-up-used');
});

test('set the alert, add an endpoint, see its deliveries, send one again, remove it', async ({ page }) => {
  const received: { body: string; signature: string | undefined }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      received.push({ body, signature: req.headers['io-credits-signature'] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/io-credits`;
  try {
    const account = freshAccount('settings');
    await purchase(account, '30.00');
    await signIn(page, account);
    await page.goto('/');
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();

    const alert = page.getByRole('region', { name: 'Low-balance alert' });
    await expect(alert).toContainText('Alert below $10.00.');
    await alert.getByLabel('Alert below (USD)').fill('twenty');
    await alert.getByRole('button', { name: 'Save alert' }).click();
    await expect(alert.getByText('Enter an amount in dollars and cents')).toBeVisible();
    await alert.getByLabel('Alert below (USD)').fill('25');
    await alert.getByRole('button', { name: 'Save alert' }).click();
    await expect(alert).toContainText('Alert below $25.00.');

    const hooks = page.getByRole('region', { name: 'Webhook endpoints' });
    await expect(hooks).toContainText('No endpoints yet.');
    await hooks.getByLabel('Endpoint URL').fill('https://169.254.169.254/latest');
    await hooks.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(hooks.getByRole('alert')).toContainText('private, loopback or link-local');
    await hooks.getByLabel('Endpoint URL').fill(url);
    await hooks.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = hooks.getByRole('status').filter({ hasText: 'copy its signing secret now' }).locator('code');
    await expect(secret).toHaveText(/^whsec_[0-9a-f]{64}$/);
    const signingSecret = (await secret.textContent())!;
    await expect(hooks.getByRole('article', { name: `Endpoint ${url}` })).toContainText('balance.low');
    await expectAccessible(page, 'the settings view');
    await expectNoHorizontalScroll(page, 'the settings view');
    await screenshot(page, 'settings');

    // The deployment system charges 6.00: 24.00 left, below the 25.00 alert.
    const charged = await api('POST', '/credits/charges', {
      token: await token('deployments', 'credits:service'),
      headers: { 'idempotency-key': `${account}-deploy` },
      body: { accountId: account, deploymentId: `${account}-dep`, amount: '6.00' },
    });
    expect(charged.status).toBe(201);
    await expect.poll(() => received.length).toBe(2);
    for (const request of received)
      expect(verifyWebhook(request.body, request.signature, signingSecret, { toleranceSeconds: 10 ** 9 }).valid).toBe(
        true,
      );
    expect(received.map((r) => JSON.parse(r.body).type).sort()).toEqual(['balance.low', 'charge.paid']);

    const endpoint = hooks.getByRole('article', { name: `Endpoint ${url}` });
    await endpoint.getByRole('button', { name: 'Deliveries' }).click();
    const rows = endpoint.getByRole('row').filter({ hasText: 'delivered' });
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText('HTTP 204');
    await screenshot(page, 'settings-deliveries');
    await page.setViewportSize({ width: 375, height: 812 });
    await expectNoHorizontalScroll(page, 'the deliveries on a phone');
    await screenshot(page, 'settings-deliveries');
    await page.setViewportSize({ width: 1280, height: 900 });
    await endpoint.getByRole('button', { name: 'Send again charge.paid' }).click();
    await expect.poll(() => received.length).toBe(3);
    await expect(endpoint.getByRole('row').filter({ hasText: 'charge.paid' })).toContainText('2');

    await endpoint.getByRole('button', { name: `Remove ${url}` }).click();
    await expect(hooks).toContainText('No endpoints yet.');
  } finally {
    receiver.close();
  }
});
