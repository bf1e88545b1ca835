// Credits Usage by product (SPEC §10): the bars stacked by product in the design's colours, a legend
// of the products with the seed's names, and the table giving the same figures as the API's
// /credits/usage?groupBy=product, per day and per month.

import { expect, type Locator, type Page, test } from '@playwright/test';
import { PRODUCT_NAMES, PRODUCTS } from '../../core/products.js';
import { api, charge, checkAtEveryWidth, freshAccount, purchase, signIn, token } from './support.js';

const SERVICE = () => token('deployments', 'credits:service');

type Figures = { usage: string; refunds: string; net: string };
type UsageAnswer = { buckets: (Figures & { byProduct: Record<string, Figures> })[]; total: Figures };

/** How many pixels of the canvas are painted in each product's colour (the design token --product-<p>). */
function paintedByProduct(canvas: Locator, products: string[]): Promise<Record<string, number>> {
  return canvas.evaluate((element: HTMLCanvasElement, names) => {
    const rgb = (token: string) => {
      const hex = getComputedStyle(element).getPropertyValue(token).trim().slice(1);
      return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
    };
    const data = element.getContext('2d')!.getImageData(0, 0, element.width, element.height).data;
    const counts: Record<string, number> = {};
    for (const name of names) {
      const [r, g, b] = rgb(`--product-${name}`);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n += 1;
      counts[name] = n;
    }
    return counts;
  }, products);
}

/** The table's rows (bucket rows, then the total), each cell's text after the row's heading. */
async function tableRows(page: Page, card: Locator): Promise<string[][]> {
  const rows = card
    .getByRole('table')
    .getByRole('row')
    .filter({ hasNot: page.getByRole('columnheader') });
  return (await rows.allInnerTexts()).map((row) => row.split('\t').slice(1));
}

/** A row's figures as the table shows them: no refunds is a dash. */
const figures = ({ usage, refunds, net }: Figures) => [
  `$${usage}`,
  /^0\.0+$/.test(refunds) ? '—' : `$${refunds}`,
  `$${net}`,
];

test('Credits Usage stacks usage by product, with a legend of the products and the same figures as a table', async ({
  page,
}) => {
  const account = freshAccount('by-product');
  await purchase(account, '100.00');
  const inference = await charge(account, '12.50', { product: 'inference', deploymentId: 'llm-1' });
  await charge(account, '7.25', { product: 'vm', deploymentId: 'vm-1' });
  await charge(account, '3.00', { product: 'ray_cluster', deploymentId: 'ray-1' });
  await charge(account, '2.00', { deploymentId: 'legacy-1' });
  const refunded = await api('POST', `/credits/charges/${inference.chargeId}/refunds`, {
    token: await SERVICE(),
    body: { accountId: account, amount: '2.50' },
    headers: { 'idempotency-key': `${account}-refund` },
  });
  expect(refunded.status, refunded.text).toBe(201);

  await signIn(page, account);
  await page.goto('/');
  const card = page.getByRole('region', { name: 'Credits Usage' });
  await expect(card).toContainText('Used $24.75, refunded $2.50, net $22.25');
  // The seed's names, in catalog order, each with what it used; refunds last.
  await expect(card.getByRole('list', { name: 'Usage by product' }).getByRole('listitem')).toHaveText([
    'Ray Clusters $3.00',
    'VMs $7.25',
    'Inference $12.50',
    'Other $2.00',
    'Refunds $2.50',
  ]);
  const painted = await paintedByProduct(card.locator('canvas'), ['ray_cluster', 'vm', 'inference', 'other']);
  for (const [product, pixels] of Object.entries(painted)) expect(pixels, `${product} is drawn`).toBeGreaterThan(20);
  // Stacked: the layers share one bar, so each is drawn in proportion to what it used.
  expect(painted.inference!).toBeGreaterThan(painted.vm!);
  expect(painted.vm!).toBeGreaterThan(painted.ray_cluster!);
  const none = await paintedByProduct(card.locator('canvas'), ['kubernetes', 'baremetal']);
  expect(none).toEqual({ kubernetes: 0, baremetal: 0 });

  const usage = (await api('GET', '/credits/usage?granularity=day&groupBy=product', { token: await token(account) }))
    .body as UsageAnswer;
  await card.getByText('Show as a table').click();
  const headings = await card.getByRole('table').getByRole('columnheader').allInnerTexts();
  expect(headings).toEqual(['Day', 'Product', 'Usage', 'Refunds', 'Net']);
  // A row for each product in each bucket, as the API answers them, then the total.
  const expected = [
    ...usage.buckets.flatMap((b) =>
      PRODUCTS.filter((p) => b.byProduct[p]).map((p) => [PRODUCT_NAMES[p], ...figures(b.byProduct[p]!)]),
    ),
    ['All products', ...figures(usage.total)],
  ];
  expect(await tableRows(page, card)).toEqual(expected);
  expect(expected).toEqual([
    ['Ray Clusters', '$3.00', '—', '$3.00'],
    ['VMs', '$7.25', '—', '$7.25'],
    ['Inference', '$12.50', '$2.50', '$10.00'],
    ['Other', '$2.00', '—', '$2.00'],
    ['All products', '$24.75', '$2.50', '$22.25'],
  ]);
  await checkAtEveryWidth(page, 'usage-by-product');

  // Per month: the same figures in this month's bucket.
  await page.setViewportSize({ width: 1280, height: 900 });
  await card.getByRole('button', { name: 'Monthly' }).click();
  await expect(card).toContainText('in the last 12 months');
  await card.getByText('Show as a table').click();
  await expect(card.getByRole('table').getByRole('row')).toHaveCount(6);
  expect(await tableRows(page, card)).toEqual(expected);
});
