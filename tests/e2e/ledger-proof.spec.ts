// Usage & Billing's proof of the balance (SPEC §12): after a daily close the card checks the
// account's proof in the browser and says the balance is in the published total; a proof changed on
// its way to the browser (its balance, a hash of its path, the digest's total) shows as failed, and
// an account no close holds yet says so.

import { expect, type Page, test } from '@playwright/test';
import {
  admin,
  advanceClock,
  api,
  charge,
  checkAtEveryWidth,
  freshAccount,
  purchase,
  SCREENS,
  signIn,
  token,
  WIDTHS,
} from './support.js';

const DAY_SECONDS = 86_400;

/** Runs the local close of yesterday (by the server's clock) and any day missed; answers the last digest. */
async function closeYesterday() {
  const closed = await admin('POST', '/admin/jobs/close', {});
  expect(closed.status, closed.text).toBe(200);
  const last = closed.body.days.at(-1);
  return last as { digest: { day: string; creditMicros: string }; digestHash: string };
}

/** Micro-credits as the card writes them: grouped, to the cent, and to the micro-credit when there is one below. */
function usdOfMicros(micros: string): string {
  const value = BigInt(micros);
  const whole = (value / 1_000_000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = (value % 1_000_000n)
    .toString()
    .padStart(6, '0')
    .replace(/(?<=\d{2})0+$/, '');
  return `$${whole}.${fraction}`;
}

const card = (page: Page) => page.getByRole('region', { name: 'Proof of your balance' });

/** The whole page at each width (accessible, no sideways scroll), and the card alone, closer. */
async function screens(page: Page, name: string) {
  await checkAtEveryWidth(page, name);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await card(page).screenshot({ path: `${SCREENS}/${name}-card-${width}.png` });
  }
}

test.describe.configure({ mode: 'serial' });

let account: string;
let published: Awaited<ReturnType<typeof closeYesterday>>;

test.beforeAll(async () => {
  account = freshAccount('proof');
  await purchase(account, '40.00');
  await charge(account, '2.50');
  // Another account in the same close gives the tree more than one leaf, so the proof has a path.
  await purchase(freshAccount('proof-other'), '5.00');
  await advanceClock(DAY_SECONDS);
  published = await closeYesterday();
});

test('the card verifies the proof of the latest close in the browser: the balance is in the published total', async ({
  page,
}) => {
  await signIn(page, account);
  await page.goto('/');
  const proof = card(page);
  await expect(proof.getByText('Verified')).toBeVisible();
  await expect(proof.getByTestId('proof-statement')).toHaveText(
    `Your balance of $37.50 is included in the published total of ${usdOfMicros(published.digest.creditMicros)}, ` +
      `digest of ${published.digest.day}.`,
  );
  const hash = proof.getByTestId('digest-hash');
  await expect(hash).toHaveAttribute('title', published.digestHash);
  await expect(hash).toHaveText(`${published.digestHash.slice(0, 10)}…${published.digestHash.slice(-8)}`);
  await expect(proof.locator('.proof-passed')).toHaveCount(7);
  // The same digest as anyone signed in reads it.
  const digest = await api('GET', `/credits/digests/${published.digest.day}`, { token: await token(account) });
  expect(digest.body.digestHash).toBe(published.digestHash);
  await screens(page, 'ledger-proof-verified');
});

const alterations: [string, (body: any) => void, string][] = [
  [
    'balance',
    (body) => {
      const more = String(BigInt(body.leaf.balanceMicros) + 1_000_000n);
      body.leaf.balanceMicros = more;
      body.leaf.creditMicros = more;
    },
    'The path from your leaf leads to the digest’s root',
  ],
  [
    'path hash',
    (body) => {
      const step = body.path[0];
      step.hash = `${step.hash.slice(0, -1)}${step.hash.endsWith('0') ? '1' : '0'}`;
    },
    'The path from your leaf leads to the digest’s root',
  ],
  ["the digest's total", (body) => (body.digest.creditMicros = '1'), 'The digest hashes to its published hash'],
];

for (const [what, alter, failedCheck] of alterations) {
  test(`a proof whose ${what} was changed on its way to the browser shows failed, at the check it fails`, async ({
    page,
  }) => {
    await page.route(/\/credits\/proof/, async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      alter(body);
      await route.fulfill({ response, json: body });
    });
    await signIn(page, account);
    await page.goto('/');
    const proof = card(page);
    await expect(proof.getByText('Verification failed')).toBeVisible();
    await expect(proof.getByTestId('proof-failure')).toContainText('proves nothing about your balance');
    await expect(proof.getByText('Verified')).toHaveCount(0);
    await expect(proof.getByText(/is included in the published total/)).toHaveCount(0);
    await expect(proof.locator('.proof-failed')).toHaveText(new RegExp(failedCheck));
    if (what === 'balance') {
      await screens(page, 'ledger-proof-failed');
    }
  });
}

test('a proof that holds together but not with the transactions the user is shown fails at the history check', async ({
  page,
}) => {
  // A tree built honestly over a balance the user is not shown: the log says 1.00 more.
  await page.route(/\/credits\/transactions\?/, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    for (const item of body.items) item.balanceAfter = (Number(item.balanceAfter) + 1).toFixed(2);
    await route.fulfill({ response, json: body });
  });
  await signIn(page, account);
  await page.goto('/');
  const proof = card(page);
  await expect(proof.getByText('Verification failed')).toBeVisible();
  await expect(proof.locator('.proof-failed')).toHaveText(/The leaf is your transactions’ last entry/);
  await expect(proof.locator('.proof-passed')).toHaveCount(6);
});

test('an account that no close holds yet is told when it will be', async ({ page }) => {
  const newcomer = freshAccount('proof-new');
  await purchase(newcomer, '10.00');
  await signIn(page, newcomer);
  await page.goto('/');
  await expect(card(page).getByTestId('proof-none')).toContainText('No daily close includes your account yet.');
  await screens(page, 'ledger-proof-none');
});
