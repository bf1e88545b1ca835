// One valid request for every route of the HTTP API, each on an account it prepares through the
// ledger core: the auth matrix and the fuzz test start from these and change one thing at a time.
// `routeSamples` must name every route in functions/http/routes.ts (tests check that it does).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDays } from '../../core/close/close.js';
import { LocalDigestStore } from '../../core/close/store.js';
import {
  approveWithdrawal,
  attachCheckout,
  charge,
  createPurchase,
  DAY_MS,
  DEFAULT_PURCHASE_LIMITS,
  getPurchase,
  listNotifications,
  type Micros,
  type PaymentMethod,
  type Purchase,
  requestWithdrawal,
  utcDay,
} from '../../core/index.js';
import { setBillingProfile } from '../../core/ledger/billing-profile.js';
import { listDocuments } from '../../core/ledger/receipts.js';
import { saveCard } from '../../core/ledger/settings.js';
import { reconcileStep } from '../../core/reconcile/reconcile.js';
import { reportFromJson } from '../../core/reconcile/report.js';
import { LOCAL_POLICY } from '../../core/webhooks/address.js';
import { listDeliveries, registerEndpoint } from '../../core/webhooks/endpoints.js';
import { localPaymentEvent } from '../../functions/local/local-events.js';
import { LocalCheckout } from '../../functions/local/local-providers.js';
import type { Api } from './api.js';
import { FINANCE } from './ledger.js';
import { buyCredits } from './purchases.js';
import { WALLET } from './wallet.js';

export interface SampleCall {
  method: string;
  /** With path parameters filled in, without a query string. */
  path: string;
  query: Record<string, string>;
  body?: Record<string, unknown>;
  /** A body sent exactly as given (a signed webhook), with its own headers. */
  rawBody?: string;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

/**
 * How a route reaches an account: `account-read`/`account-write` act on the caller's own account
 * or, for tokens that may act for others, on the `accountId` given in `accountIn`; `credit` gives
 * money to the account it names, so only credits:service and credits:admin may call it; `own`
 * acts only on the caller's own account; `admin` needs credits:admin; `public` needs no token.
 */
export type Reach = 'account-read' | 'account-write' | 'credit' | 'own' | 'admin' | 'public';

export interface RouteSample {
  reach: Reach;
  /** Who could gain money by calling this route (twice, out of order, with another's id), and what stops them. */
  money: string;
  accountIn?: 'query' | 'body';
  /** Prepares `owner`'s account and returns a valid call that acts on it. */
  prepare(api: Api, owner: string): Promise<SampleCall>;
}

const credits = (n: number) => (n * 1_000_000) as Micros;
let sequence = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++sequence}`;

/** A test card saved for the owner, as the setup's signed Stripe event saves it. */
async function savedCard(api: Api, owner: string): Promise<void> {
  await saveCard(api.ledger, {
    eventId: `evt_setup_${owner}`,
    accountId: owner,
    customerId: 'cus_local_samples',
    paymentMethodId: 'pm_card_visa',
    label: 'card visa',
  });
}

/** An endpoint of the owner's, for their purchases, at a loopback port nobody listens on. */
async function endpointOf(api: Api, owner: string): Promise<string> {
  const endpoint = await registerEndpoint(api.ledger, {
    owner,
    url: 'http://127.0.0.1:9/hooks',
    events: ['purchase.completed'],
    policy: LOCAL_POLICY,
  });
  return endpoint.endpointId;
}

/** A card setup page opened by the owner's own request (the local stand-in for Stripe's). */
async function cardSetupOf(api: Api, owner: string): Promise<string> {
  const { checkoutUrl } = await api.payments.cards!.createCardSetup({ accountId: owner });
  return checkoutUrl;
}

async function funded(api: Api, owner: string, amount = 50): Promise<void> {
  await buyCredits(api.ledger, owner, credits(amount));
}

export const SAMPLE_PROFILE = {
  name: 'Example GmbH',
  email: 'billing@example.com',
  address: { line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
  taxId: { type: 'eu_vat' as const, value: 'DE136695976' },
};

/** The number of the owner's latest receipt, buying credits only if the owner has none yet. */
async function receiptOf(api: Api, owner: string): Promise<string> {
  const [latest] = (await listDocuments(api.ledger, { accountId: owner, kind: 'receipt', limit: 1 })).items;
  if (latest) return latest.number;
  const bought = await buyCredits(api.ledger, owner, credits(20));
  const purchase = await getPurchase(api.ledger, owner, bought.purchaseId);
  if (!purchase.receiptNumber) throw new Error(`purchase ${purchase.purchaseId} has no receipt`);
  return purchase.receiptNumber;
}

async function paidCharge(api: Api, owner: string): Promise<string> {
  await funded(api, owner);
  const result = await charge(api.ledger, {
    accountId: owner,
    deploymentId: 'dep-sample',
    amount: credits(5),
    idempotencyKey: unique('ch'),
  });
  return result.chargeId;
}

async function pendingCharge(api: Api, owner: string): Promise<string> {
  const result = await charge(api.ledger, {
    accountId: owner,
    deploymentId: 'dep-sample',
    amount: credits(500),
    idempotencyKey: unique('ch'),
  });
  return result.chargeId;
}

async function pendingWithdrawal(api: Api, owner: string): Promise<string> {
  await funded(api, owner);
  return (await requestWithdrawal(api.ledger, { accountId: owner, amount: credits(5), destination: WALLET }))
    .withdrawalId;
}

/**
 * The owner's day closed into a digest store of its own (so the digest names the owner, whatever
 * other samples closed), as if the clock were two days on; answers the day.
 */
async function closedDay(api: Api, owner: string): Promise<string> {
  await funded(api, owner);
  const store = new LocalDigestStore(mkdtempSync(join(tmpdir(), 'digests-')));
  api.runtime.digests = store;
  const day = utcDay(api.ledger.nowMs());
  await closeDays({ table: api.ledger.table, store, nowMs: api.ledger.nowMs() + 2 * DAY_MS }, day);
  return day;
}

/**
 * A day closed and reconciled in a store of its own, with an item on the owner's account: credit
 * bought through the ledger that no provider (here: none) took, so credited without a payment.
 */
async function reconciledItem(api: Api, owner: string): Promise<{ day: string; itemId: string }> {
  await funded(api, owner);
  const store = new LocalDigestStore(mkdtempSync(join(tmpdir(), 'digests-')));
  api.runtime.digests = store;
  const day = utcDay(api.ledger.nowMs());
  const { table } = api.ledger;
  await closeDays(
    { table, store, nowMs: api.ledger.nowMs() + 2 * DAY_MS, after: [reconcileStep({ table, store, sources: [] })] },
    day,
  );
  const report = reportFromJson((await store.closeReport(day, 'json')) ?? '');
  const item = report.categories.creditedNotPaid.find((i) => i.accountId === owner);
  if (!item) throw new Error(`no item on ${owner} in the close report of ${day}`);
  return { day, itemId: item.itemId };
}

/** A purchase with its (local) checkout, as POST /credits/purchases leaves it. */
export async function pendingPurchase(
  api: Api,
  owner: string,
  method: PaymentMethod = 'card',
  amount = 25,
): Promise<Purchase> {
  const purchase = await createPurchase(api.ledger, {
    accountId: owner,
    amount: credits(amount),
    method,
    limits: DEFAULT_PURCHASE_LIMITS,
  });
  const checkout = await new LocalCheckout(method).createCheckout({
    purchaseId: purchase.purchaseId,
    accountId: owner,
    amount: purchase.amount,
    method,
  });
  return attachCheckout(api.ledger, purchase, checkout);
}

/** A card purchase the Stripe stand-in took the payment of (its webhook not sent): answers its id. */
async function paidAtStandIn(api: Api, owner: string): Promise<string> {
  const purchase = await pendingPurchase(api, owner, 'card');
  const paid = await fetch(`${api.url}/local/checkout/${purchase.purchaseId}/pay?notify=false`, { method: 'POST' });
  if (paid.status !== 200) throw new Error(`the stand-in did not take ${purchase.purchaseId}: ${paid.status}`);
  return purchase.purchaseId;
}

async function paymentWebhook(api: Api, owner: string, method: PaymentMethod): Promise<SampleCall> {
  const purchase = await pendingPurchase(api, owner, method);
  const event = localPaymentEvent(purchase, api.payments.webhookSecrets[purchase.provider]!, api.ledger.nowMs());
  return call('POST', event.path, { rawBody: event.body, headers: event.headers });
}

const call = (method: string, path: string, extra: Partial<SampleCall> = {}): SampleCall => ({
  method,
  path,
  query: {},
  ...extra,
});

export const routeSamples: Record<string, RouteSample> = {
  'GET /credits/balance': {
    money: "Nobody: a read. Another user's balance is refused, so nothing is learnt to plan an attack.",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (await funded(api, owner), call('GET', '/credits/balance')),
  },
  'GET /credits/check': {
    money: 'Nobody: a read, from the same decision the charge uses.',
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (
      await funded(api, owner), call('GET', '/credits/check', { query: { amount: '12.50' } })
    ),
  },
  'GET /credits/transactions': {
    money: 'Nobody: a read; cursors are signed and bound to the account and filters.',
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (
      await paidCharge(api, owner),
      call('GET', '/credits/transactions', {
        query: { type: 'usage', limit: '10', from: '2026-01-01', to: '2027-01-01' },
      })
    ),
  },
  'GET /credits/usage': {
    money: 'Nobody: a read.',
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (
      await paidCharge(api, owner),
      call('GET', '/credits/usage', { query: { from: '2026-01-01', to: '2026-03-01', granularity: 'month' } })
    ),
  },
  'POST /credits/charges': {
    money:
      'Nobody gains: a charge only takes from the account it names; a user may charge only their own, the ' +
      'Idempotency-Key makes a retry one charge.',
    reach: 'account-write',
    accountIn: 'body',
    prepare: async (api, owner) => (
      await funded(api, owner),
      call('POST', '/credits/charges', {
        body: { deploymentId: 'dep-42', amount: '1.25', description: 'A100 x1' },
        idempotencyKey: unique('key'),
      })
    ),
  },
  'GET /credits/charges/{chargeId}': {
    money: 'Nobody: a read.',
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => call('GET', `/credits/charges/${await paidCharge(api, owner)}`),
  },
  'POST /credits/charges/{chargeId}/refunds': {
    money:
      'The account owner would: a refund of their own usage becomes credit they could withdraw. Refunds are ' +
      "the deployment system's and finance's decision, so owners are refused (and the gateway checks the scope).",
    reach: 'credit',
    accountIn: 'body',
    prepare: async (api, owner) =>
      call('POST', `/credits/charges/${await paidCharge(api, owner)}/refunds`, {
        body: { amount: '0.5', reason: 'ended early' },
        idempotencyKey: unique('key'),
      }),
  },
  'POST /credits/charges/{chargeId}/cancel': {
    money: 'Nobody: a pending charge took nothing, so cancelling it gives nothing back.',
    reach: 'account-write',
    accountIn: 'query',
    prepare: async (api, owner) => call('POST', `/credits/charges/${await pendingCharge(api, owner)}/cancel`),
  },
  'POST /credits/purchases': {
    money:
      "Nobody: it only creates a checkout; credit arrives from the provider's signed event, for what the " +
      'provider reports as paid.',
    reach: 'own',
    prepare: async () =>
      call('POST', '/credits/purchases', { body: { amount: '25.00', method: 'card' }, idempotencyKey: unique('key') }),
  },
  'GET /credits/purchases/{purchaseId}': {
    money: 'Nobody: a read.',
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => call('GET', `/credits/purchases/${(await pendingPurchase(api, owner)).purchaseId}`),
  },
  'GET /credits/billing-profile': {
    money: "Nobody: a read of the caller's billing profile.",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (
      await setBillingProfile(api.ledger, owner, SAMPLE_PROFILE), call('GET', '/credits/billing-profile')
    ),
  },
  'PUT /credits/billing-profile': {
    money: 'Nobody: who receipts are made out to; issued receipts keep the profile they were made with.',
    reach: 'own',
    prepare: async (_api, _owner) => call('PUT', '/credits/billing-profile', { body: { ...SAMPLE_PROFILE } }),
  },
  'GET /credits/receipts': {
    money: "Nobody: a read of the caller's receipts; a cursor is signed for its account and filters.",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (
      await receiptOf(api, owner), call('GET', '/credits/receipts', { query: { limit: '10' } })
    ),
  },
  'GET /credits/receipts/{number}': {
    money: "Nobody: a read; another account's number is not found in the caller's partition.",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => call('GET', `/credits/receipts/${await receiptOf(api, owner)}`),
  },
  'GET /credits/statements/{month}': {
    money: "Nobody: a read of the caller's month; staff name an account with accountId, a CSV cursor is signed for it.",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (
      await receiptOf(api, owner),
      call('GET', `/credits/statements/${new Date(api.ledger.nowMs()).toISOString().slice(0, 7)}`)
    ),
  },
  'POST /webhooks/stripe': {
    money:
      'Anyone who could forge an event: it must verify against the Stripe secret, each event id takes effect ' +
      "once, and the purchase's state decides.",
    reach: 'public',
    prepare: (api, owner) => paymentWebhook(api, owner, 'card'),
  },
  'POST /webhooks/spherepay': {
    money:
      'Anyone who could forge an event: it must verify against the Spherepay secret, each event id takes ' +
      "effect once, and the purchase's state decides.",
    reach: 'public',
    prepare: (api, owner) => paymentWebhook(api, owner, 'usdc'),
  },
  'GET /local/checkout/{purchaseId}': {
    money: 'Local only, never deployed: a page.',
    reach: 'public',
    prepare: async (api, owner) => call('GET', `/local/checkout/${(await pendingPurchase(api, owner)).purchaseId}`),
  },
  'POST /local/checkout/{purchaseId}/pay': {
    money: 'Local only, never deployed: it sends the server a signed provider event, as a real payment would.',
    reach: 'public',
    prepare: async (api, owner) =>
      call('POST', `/local/checkout/${(await pendingPurchase(api, owner, 'usdc')).purchaseId}/pay`),
  },
  'POST /local/providers/stripe/refunds': {
    money:
      'Local only, never deployed, admin only: refunds at most what the Stripe stand-in took for the purchase; the ' +
      'ledger hears of it only through the signed charge.refunded, applied once.',
    reach: 'admin',
    prepare: async (api, owner) =>
      call('POST', '/local/providers/stripe/refunds', {
        body: { purchaseId: await paidAtStandIn(api, owner), amount: '1.00' },
      }),
  },
  'POST /local/providers/stripe/disputes': {
    money:
      'Local only, never deployed, admin only: one dispute per charge the Stripe stand-in took, at most its amount; ' +
      'the ledger hears of it only through the signed charge.dispute.created, applied once.',
    reach: 'admin',
    prepare: async (api, owner) =>
      call('POST', '/local/providers/stripe/disputes', { body: { purchaseId: await paidAtStandIn(api, owner) } }),
  },
  'GET /local/card-setup/{setupId}': {
    money: "Local only, never deployed: a page, for the setup the account's own request opened.",
    reach: 'public',
    prepare: async (api, owner) => call('GET', new URL(await cardSetupOf(api, owner)).pathname),
  },
  'POST /local/card-setup/{setupId}/{card}': {
    money:
      "Local only, never deployed: it sends the server a signed setup event, as Stripe's setup would, for the " +
      'account whose own request opened the setup (an unguessable id), once.',
    reach: 'public',
    prepare: async (api, owner) => call('POST', `${new URL(await cardSetupOf(api, owner)).pathname}/pm_card_visa`),
  },
  'POST /credits/withdrawals': {
    money:
      'The owner, of what they paid for and nothing more: only purchased credit, up to what is withdrawable, ' +
      'held at once, paid out only after finance reviews it, and only to the destination given here.',
    reach: 'own',
    prepare: async (api, owner) => (
      await funded(api, owner),
      call('POST', '/credits/withdrawals', {
        body: {
          amount: '5.00',
          destination: { network: 'base', address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' },
        },
        idempotencyKey: unique('key'),
      })
    ),
  },
  'GET /credits/withdrawals': {
    money: "Nobody: a read of the caller's own withdrawals; support and services name the account (SPEC §14).",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (await pendingWithdrawal(api, owner), call('GET', '/credits/withdrawals')),
  },
  'POST /credits/withdrawals/{withdrawalId}/cancel': {
    money: 'Nobody: the credit held for a withdrawal not yet paid out goes back to the lots it came from.',
    reach: 'own',
    prepare: async (api, owner) => call('POST', `/credits/withdrawals/${await pendingWithdrawal(api, owner)}/cancel`),
  },
  'GET /admin/withdrawals': {
    money: "Nobody: finance's read.",
    reach: 'admin',
    prepare: async (api, owner) => (
      await pendingWithdrawal(api, owner), call('GET', '/admin/withdrawals', { query: { status: 'pending_review' } })
    ),
  },
  'POST /admin/withdrawals/{withdrawalId}/approve': {
    money: 'The account owner, if anyone could approve their own payout: finance only.',
    reach: 'admin',
    prepare: async (api, owner) => call('POST', `/admin/withdrawals/${await pendingWithdrawal(api, owner)}/approve`),
  },
  'POST /admin/withdrawals/{withdrawalId}/reject': {
    money: 'Nobody gains: the held credit goes back to the account; finance only.',
    reach: 'admin',
    prepare: async (api, owner) =>
      call('POST', `/admin/withdrawals/${await pendingWithdrawal(api, owner)}/reject`, {
        body: { reason: 'name does not match the card' },
      }),
  },
  'POST /admin/withdrawals/{withdrawalId}/complete': {
    money: 'The account owner, if anyone could mark a payout made: finance only.',
    reach: 'admin',
    prepare: async (api, owner) => {
      const withdrawalId = await pendingWithdrawal(api, owner);
      await approveWithdrawal(api.ledger, withdrawalId, FINANCE);
      return call('POST', `/admin/withdrawals/${withdrawalId}/complete`, {
        body: { payoutReference: 'wire-2026-0042' },
      });
    },
  },
  'POST /admin/accounts/{accountId}/grants': {
    money: 'The account named: promotional credit, never withdrawable; finance only.',
    reach: 'admin',
    prepare: async (_api, owner) =>
      call('POST', `/admin/accounts/${owner}/grants`, {
        body: { amount: '15.00', expiresAt: '2027-01-01T00:00:00Z', description: 'Hackathon', conditions: 'GPU only' },
        idempotencyKey: unique('key'),
      }),
  },
  'PUT /admin/accounts/{accountId}/negative-allowance': {
    money: 'The account named: a larger credit line; finance only.',
    reach: 'admin',
    prepare: async (_api, owner) =>
      call('PUT', `/admin/accounts/${owner}/negative-allowance`, { body: { amount: '25' } }),
  },
  'GET /admin/audit': {
    money: "Nobody: finance's read of who did what; users get 403.",
    reach: 'admin',
    prepare: async (_api, owner) => call('GET', '/admin/audit', { query: { accountId: owner, limit: '10' } }),
  },
  'GET /admin/accounts/{accountId}': {
    money: "Nobody: support's read of one account, webhook endpoints without their secrets; users get 403.",
    reach: 'admin',
    prepare: async (api, owner) => (await funded(api, owner), call('GET', `/admin/accounts/${owner}`)),
  },
  'GET /notifications': {
    money: "Nobody: a read of the caller's own notifications; support and services name the account (SPEC §14).",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => (
      await funded(api, owner), call('GET', '/notifications', { query: { limit: '20' } })
    ),
  },
  'GET /credits/limits': {
    money: 'Nobody: the bounds of a purchase and of auto top-up, the same for every account.',
    reach: 'own',
    prepare: async (_api, _owner) => call('GET', '/credits/limits'),
  },
  'GET /credits/auto-top-up': {
    money: "Nobody: a read of the caller's own settings (the card only by its label).",
    reach: 'own',
    prepare: async (_api, _owner) => call('GET', '/credits/auto-top-up'),
  },
  'PUT /credits/auto-top-up': {
    money:
      "The caller's own card is charged by it, within the monthly limit the caller sets; another account's " +
      'card can not be named. Enabling needs a saved card.',
    reach: 'own',
    prepare: async (api, owner) => {
      await savedCard(api, owner);
      return call('PUT', '/credits/auto-top-up', {
        body: { enabled: false, threshold: '5.00', amount: '20.00', monthlyLimit: '100.00' },
      });
    },
  },
  'POST /credits/auto-top-up/payment-method': {
    money: 'Nobody: it answers a page where the caller saves their own card; nothing is charged.',
    reach: 'own',
    prepare: async (_api, _owner) => call('POST', '/credits/auto-top-up/payment-method'),
  },
  'GET /credits/alerts': {
    money: "Nobody: a read of the caller's own alert setting.",
    reach: 'own',
    prepare: async (_api, _owner) => call('GET', '/credits/alerts'),
  },
  'PUT /credits/alerts': {
    money: 'Nobody: it only decides when the owner is told of a low balance; no credit moves.',
    reach: 'own',
    prepare: async (_api, _owner) => call('PUT', '/credits/alerts', { body: { lowBalanceThreshold: '25.00' } }),
  },
  'POST /credits/webhook-endpoints': {
    money:
      'Nobody: it only sends the account its own events. Another account is refused (403), and a URL ' +
      'into our network (SSRF) is a 400.',
    reach: 'account-read',
    accountIn: 'body',
    prepare: async (_api, _owner) =>
      call('POST', '/credits/webhook-endpoints', {
        body: { url: 'http://127.0.0.1:9/hooks', events: ['charge.paid'] },
      }),
  },
  'GET /credits/webhook-endpoints': {
    money: "Nobody: a read of the caller's endpoints, without their secrets.",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (_api, _owner) => call('GET', '/credits/webhook-endpoints'),
  },
  'DELETE /credits/webhook-endpoints/{endpointId}': {
    money:
      "Nobody: it stops events, no credit moves. Another user's endpoint is a 404; services and admins name " +
      'the account (finance may remove any endpoint).',
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => call('DELETE', `/credits/webhook-endpoints/${await endpointOf(api, owner)}`),
  },
  'GET /credits/webhook-endpoints/{endpointId}/deliveries': {
    money: "Nobody: a read of an endpoint's deliveries; another user's endpoint is a 404.",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => call('GET', `/credits/webhook-endpoints/${await endpointOf(api, owner)}/deliveries`),
  },
  'POST /credits/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry': {
    money: 'Nobody: it sends an event again to the endpoint it was for; no credit moves.',
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => {
      const endpointId = await endpointOf(api, owner);
      await funded(api, owner);
      await api.jobs.webhooks.drained();
      const [delivery] = await listDeliveries(api.ledger, endpointId, 1);
      return call('POST', `/credits/webhook-endpoints/${endpointId}/deliveries/${delivery!.deliveryId}/retry`);
    },
  },
  'POST /notifications/{notificationId}/read': {
    money: "Nobody: a flag on the caller's own notification.",
    reach: 'own',
    prepare: async (api, owner) => {
      await funded(api, owner);
      const [latest] = await listNotifications(api.ledger, owner, 1);
      return call('POST', `/notifications/${latest!.notificationId}/read`);
    },
  },
  'GET /openapi.json': {
    money: 'Nobody: the public contract.',
    reach: 'public',
    prepare: async () => call('GET', '/openapi.json'),
  },
  'GET /credits/digests/{day}': {
    money: 'Nobody: a published digest, the same for everyone signed in.',
    reach: 'own',
    prepare: async (api, owner) => call('GET', `/credits/digests/${await closedDay(api, owner)}`),
  },
  'GET /credits/proof': {
    money: "Nobody: a read of the caller's own leaf and its path to the published root.",
    reach: 'account-read',
    accountIn: 'query',
    prepare: async (api, owner) => call('GET', '/credits/proof', { query: { day: await closedDay(api, owner) } }),
  },
  'GET /admin/closes': {
    money: 'Nobody: the days the close reconciled.',
    reach: 'admin',
    prepare: async (api, owner) => (await reconciledItem(api, owner), call('GET', '/admin/closes')),
  },
  'GET /admin/closes/{day}': {
    money: "Nobody: a read of a day's close report.",
    reach: 'admin',
    prepare: async (api, owner) => call('GET', `/admin/closes/${(await reconciledItem(api, owner)).day}`),
  },
  'POST /admin/closes/{day}/items/{itemId}/resolve': {
    money: 'Nobody: marks a finding resolved, moving no money; once per item, with its audit record.',
    reach: 'admin',
    prepare: async (api, owner) => {
      const { day, itemId } = await reconciledItem(api, owner);
      return call('POST', `/admin/closes/${day}/items/${itemId}/resolve`, { body: { note: 'refunded by hand' } });
    },
  },
  'POST /admin/jobs/close': {
    money: 'Local only, never deployed: runs what the daily close would.',
    reach: 'admin',
    prepare: async (api) => {
      // The day before the clock's is over; a store of its own, so this call closes it anew.
      api.runtime.digests = new LocalDigestStore(mkdtempSync(join(tmpdir(), 'digests-')));
      return call('POST', '/admin/jobs/close', { body: { day: utcDay(api.ledger.nowMs() - DAY_MS) } });
    },
  },
  'POST /admin/jobs/expiry': {
    money: 'Local only, never deployed: runs what the nightly job would.',
    reach: 'admin',
    prepare: async () => call('POST', '/admin/jobs/expiry'),
  },
  'POST /local/sign-in': {
    money: 'Local only, never deployed: a dev token for a demo user.',
    reach: 'public',
    prepare: async () => call('POST', '/local/sign-in', { body: { user: 'demo' } }),
  },
  'POST /admin/test-clock': {
    money: 'Local only, never deployed: moves the manual clock.',
    reach: 'admin',
    prepare: async () => call('POST', '/admin/test-clock', { body: { advanceSeconds: 1 } }),
  },
};

/** `call` acting for `accountId`, where the route takes it. */
export function actingFor(sample: RouteSample, call: SampleCall, accountId: string): SampleCall {
  if (sample.accountIn === 'query') return { ...call, query: { ...call.query, accountId } };
  if (sample.accountIn === 'body') return { ...call, body: { ...call.body, accountId } };
  return call;
}

/** A caller allowed to make `call` on `owner`'s account, and the call as that caller sends it. */
export async function allowedCaller(
  api: Api,
  sample: RouteSample,
  call: SampleCall,
  owner: string,
): Promise<{ call: SampleCall; token: string | undefined }> {
  switch (sample.reach) {
    case 'public':
      return { call, token: undefined };
    case 'admin':
      return { call, token: await api.token('finance', 'credits:admin') };
    case 'credit':
      return { call: actingFor(sample, call, owner), token: await api.token('deployments', 'credits:service') };
    default:
      return { call, token: await api.token(owner) };
  }
}

export function pathWithQuery(call: SampleCall): string {
  const query = new URLSearchParams(call.query).toString();
  return query ? `${call.path}?${query}` : call.path;
}

/** Sends a sample call through the local server as `token`. */
export function send(api: Api, call: SampleCall, token: string | undefined) {
  return api.call(call.method, pathWithQuery(call), {
    ...(token ? { token } : {}),
    ...(call.body !== undefined ? { body: call.body } : {}),
    ...(call.rawBody !== undefined ? { rawBody: call.rawBody } : {}),
    headers: { ...call.headers, ...(call.idempotencyKey ? { 'idempotency-key': call.idempotencyKey } : {}) },
  });
}
