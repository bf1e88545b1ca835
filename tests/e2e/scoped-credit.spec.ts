// Total IO Credits with scoped credit and the expiry forecast (SPEC §10): the balance lists the
// credit that pays some products only, each lot shows its scope, and the warning for credit expiring
// within 30 days says how much of it the last 30 days' usage would leave unused.

import { expect, test } from '@playwright/test';
import {
  advanceClock,
  api,
  charge,
  checkAtEveryWidth,
  freshAccount,
  grant,
  purchase,
  serverNow,
  signIn,
  token,
} from './support.js';

const DAY_SECONDS = 86_400;
const DAY_MS = DAY_SECONDS * 1000;

test('scoped credit is listed with its scope, and expiring credit says what current usage leaves unused', async ({
  page,
}) => {
  const account = freshAccount('forecast');
  await purchase(account, '100.00');
  // Three days of usage, one a day apart on the manual clock: 30.00 of Inference and 15.00 of VMs,
  // so the last 30 days average 1.00 a day of Inference and 0.50 of VMs.
  for (let day = 0; day < 3; day += 1) {
    if (day > 0) await advanceClock(DAY_SECONDS);
    await charge(account, '10.00', { product: 'inference', deploymentId: `llm-${day}` });
    await charge(account, '5.00', { product: 'vm', deploymentId: `vm-${day}` });
  }
  const now = Date.parse(await serverNow());
  // In 10 days Inference uses 10.00 of its 20.00 and leaves 10.00; in 20 days VMs use all of the 5.00.
  const inferenceOnly = await grant(account, '20.00', new Date(now + 10 * DAY_MS).toISOString(), ['inference']);
  await grant(account, '5.00', new Date(now + 20 * DAY_MS).toISOString());
  const balance = (await api('GET', '/credits/balance', { token: await token(account) })).body;
  expect(balance.expiringSoon.map((lot: { forecastUnused: string }) => lot.forecastUnused)).toEqual(['10.00', '0.00']);
  expect(balance.scoped).toEqual([{ products: ['inference'], remaining: '20.00' }]);

  await signIn(page, account);
  await page.goto('/');
  const card = page.getByRole('region', { name: 'Total IO Credits' });
  await expect(card.getByTestId('balance')).toHaveText('$80.00');
  await expect(card.getByRole('definition').filter({ hasText: 'Inference only' })).toHaveText('$20.00 Inference only');
  const lots = card.getByRole('table').getByRole('row');
  await expect(lots.filter({ hasText: 'Inference only' })).toContainText('$20.00');
  await expect(lots).toHaveCount(4);
  const warning = card.getByRole('status').filter({ hasText: 'Credits expiring within 30 days' });
  await expect(warning.getByRole('listitem')).toHaveText([
    /^\$20\.00 promotional credit \(Inference only\) expires on .+; at your current usage \$10\.00 of it will go unused\.$/,
    /^\$5\.00 promotional credit expires on .+; at your current usage it will all be used\.$/,
  ]);
  expect(inferenceOnly.products).toEqual(['inference']);
  await checkAtEveryWidth(page, 'total-credits-scoped');
});
