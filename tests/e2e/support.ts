// What the browser tests share: signing a page in as a fresh account (a dev token put where the
// app keeps its session, the page's clock set to the server's), setting up accounts through the API,
// the manual clock, accessibility checks with axe-core, and screenshots of each view at both widths.

import { mkdirSync, readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { signDevToken } from '../../functions/local/dev-auth.js';

export const BASE = (): string => process.env.E2E_BASE_URL!;
const SECRET = (): string => process.env.E2E_AUTH_SECRET!;
export const SCREENS = 'test-results/screens';
export const WIDTHS = [1280, 375] as const;

let sequence = 0;
export const freshAccount = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++sequence}`;

export function token(sub: string, scope?: string): Promise<string> {
  return signDevToken(SECRET(), sub, scope);
}

export async function api(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${BASE()}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/** The page opens signed in as `sub`: the session the sign-in page would have stored for the tab. */
export async function signIn(page: Page, sub: string, scope?: string): Promise<string> {
  const bearer = await token(sub, scope);
  const session = JSON.stringify({ token: bearer, sub, name: sub, scopes: scope ? [scope] : [] });
  await page.addInitScript((value) => sessionStorage.setItem('io-credits:session', value), session);
  await clockAtServer(page);
  return bearer;
}

const clocked = new WeakSet<Page>();

/**
 * The page's clock starts at the server's manual clock and runs on from there. In production both
 * read the real time; here the server's moves only when a test moves it (days, for usage over past
 * days), and the app asks for "the last 30 days" by its own clock, so the two must agree.
 */
async function clockAtServer(page: Page) {
  if (clocked.has(page)) return;
  clocked.add(page);
  await page.clock.install({ time: await serverNow() });
}

/** The server's manual clock (moving it by nothing answers where it is). */
export async function serverNow(): Promise<string> {
  const clock = await admin('POST', '/admin/test-clock', { advanceSeconds: 0 });
  expect(clock.status, clock.text).toBe(200);
  return clock.body.now as string;
}

export async function admin(method: string, path: string, body?: unknown) {
  return api(method, path, { token: await token('finance', 'credits:admin'), ...(body !== undefined ? { body } : {}) });
}

/** Promotional credit; with `products`, scoped credit that pays only those products. Answers the lot. */
export async function grant(accountId: string, amount: string, expiresAt?: string, products?: string[]) {
  const answer = await admin('POST', `/admin/accounts/${accountId}/grants`, {
    amount,
    description: 'Test credit',
    ...(expiresAt ? { expiresAt } : {}),
    ...(products ? { products } : {}),
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.body as { lotId: string; products?: string[] };
}

let charges = 0;

/** A deployment paid with credit, as the deployment system charges it: answers the charge. */
export async function charge(
  accountId: string,
  amount: string,
  order: { deploymentId?: string; product?: string; projectId?: string; status?: number } = {},
) {
  const { status = 201, ...body } = order;
  const answer = await api('POST', '/credits/charges', {
    token: await token('deployments', 'credits:service'),
    body: { accountId, deploymentId: `dep-${++charges}`, amount, ...body },
    headers: { 'idempotency-key': `${accountId}-charge-${charges}` },
  });
  expect(answer.status, answer.text).toBe(status);
  return answer.body as { chargeId: string; status: string };
}

/** Purchased credit, through the API and the local checkout's Pay, as a real purchase arrives. */
export async function purchase(accountId: string, amount: string, method: 'card' | 'usdc' = 'card') {
  const created = await api('POST', '/credits/purchases', { token: await token(accountId), body: { amount, method } });
  expect(created.status, created.text).toBe(201);
  const paid = await fetch(`${BASE()}/local/checkout/${created.body.purchaseId}/pay`, { method: 'POST' });
  expect(paid.status).toBe(200);
}

export async function advanceClock(seconds: number) {
  const moved = await admin('POST', '/admin/test-clock', { advanceSeconds: seconds });
  expect(moved.status, moved.text).toBe(200);
}

/** No serious or critical accessibility violations (axe-core) on what the page shows now. */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    `${what}: axe violations`,
  ).toEqual([]);
}

export async function expectNoHorizontalScroll(page: Page, what: string) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${what} scrolls sideways`).toBeLessThanOrEqual(0);
}

/**
 * The Transactions card's Export CSV, downloaded: expected to be the very CSV the API gives `accountId`
 * for `query` (the filters the card shows). Answers its lines.
 */
export async function expectExportedAsApi(card: Locator, accountId: string, query: string): Promise<string[]> {
  const [download] = await Promise.all([
    card.page().waitForEvent('download'),
    card.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const exported = readFileSync(await download.path(), 'utf8');
  const fromApi = await api('GET', `/credits/transactions?format=csv${query}`, { token: await token(accountId) });
  expect(exported).toBe(fromApi.text);
  return exported.trim().split('\r\n');
}

/** Fills the Finance page's grant form for `accountId` and sends it; answers the form's region. */
export async function grantFromFinance(page: Page, accountId: string, amount: string, description: string) {
  const form = page.getByRole('region', { name: 'Grant promotional credit' });
  await form.getByLabel('Account (IO ID)').fill(accountId);
  await form.getByLabel('Amount (USD)').fill(amount);
  await form.getByLabel('Description').fill(description);
  await form.getByRole('button', { name: 'Grant credit' }).click();
  return form;
}

/** The page as it is now, at each width: accessible, without sideways scrolling, and screenshotted. */
export async function checkAtEveryWidth(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await expectAccessible(page, `${name} at ${width} px`);
    await expectNoHorizontalScroll(page, `${name} at ${width} px`);
    await screenshot(page, name);
  }
}

/** A full-page screenshot of the view as it is, under test-results/screens/<name>-<width>.png. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENS, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: `${SCREENS}/${name}-${width}.png`, fullPage: true });
}

/**
 * The first `method` request whose URL matches `url` reaches the server and is applied, but its
 * answer never arrives, as when the connection drops after the server committed; later ones go
 * through. Answers the Idempotency-Key each request carried, in the order they were sent.
 */
export async function loseFirstAnswer(page: Page, url: RegExp, method = 'POST'): Promise<string[]> {
  const keys: string[] = [];
  await page.route(url, async (route) => {
    const request = route.request();
    if (request.method() !== method) return route.fallback();
    keys.push(request.headers()['idempotency-key'] ?? '(none)');
    if (keys.length > 1) return route.fallback();
    await route.fetch();
    await route.abort('failed');
  });
  return keys;
}
