// Webhook endpoints (SPEC §9): registered with the events they want, for one account or (service
// and admin) for every account; the signing secret is answered once, at registration, and never
// listed again. Removing an endpoint stops its deliveries: an attempt finds it gone and ends.

import { randomBytes } from 'node:crypto';
import { Conflict, NotFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Actor } from '../items/audit.js';
import { type Delivery, type EventType, endpointItems, type WebhookEndpoint } from '../items/webhook.js';
import { deliveryFromItem, endpointFromItem } from '../items/webhook-read.js';
import { type AuditInput, recordAudit } from '../ledger/audit.js';
import { run } from '../ledger/commit.js';
import type { Ledger } from '../ledger/ledger.js';
import { keys, SK_PREFIX } from '../table/keys.js';
import { iso } from '../time.js';
import { type AddressPolicy, checkWebhookTarget, type Resolve, resolveAll } from './address.js';

/** Endpoints one owner may register: enough for any integration, few enough to fan out cheaply. */
export const MAX_ENDPOINTS_PER_OWNER = 10;
export const MAX_DELIVERIES_LISTED = 100;

/** An endpoint as listed: everything but its secret. */
export type EndpointView = Omit<WebhookEndpoint, 'secret'>;

export const endpointView = ({ secret: _secret, ...endpoint }: WebhookEndpoint): EndpointView => endpoint;

export async function registerEndpoint(
  ledger: Ledger,
  input: {
    owner: string;
    url: string;
    events: EventType[];
    policy: AddressPolicy;
    resolve?: Resolve;
    /** A service or member of staff registering it for another account (SPEC §14): audited. */
    actor?: Actor;
  },
): Promise<WebhookEndpoint> {
  const url = await checkWebhookTarget(input.url, input.policy, input.resolve ?? resolveAll);
  const tooMany = () =>
    new Conflict(`at most ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints may be registered for one account`);
  const nowMs = ledger.nowMs();
  const endpoint: WebhookEndpoint = {
    endpointId: newId('we', nowMs),
    owner: input.owner,
    url: url.toString(),
    events: [...new Set(input.events)].sort(),
    secret: `whsec_${randomBytes(32).toString('hex')}`,
    createdAt: iso(nowMs),
  };
  if (endpoint.owner === '*') {
    if ((await listEndpoints(ledger, '*')).length >= MAX_ENDPOINTS_PER_OWNER) throw tooMany();
    await ledger.table.transact(endpointItems.registered(endpoint));
    ledger.globalSubscribers.forget();
    return endpoint;
  }
  // With the account's endpoint count, in one transaction: from the next operation on, its events are written.
  return run(ledger, {
    name: 'registerWebhookEndpoint',
    accountId: endpoint.owner,
    ...(input.actor ? { actor: input.actor } : {}),
    plan: (draft) => {
      if (draft.state.webhookEndpoints >= MAX_ENDPOINTS_PER_OWNER) throw tooMany();
      draft.changeWebhookEndpoints(1);
      for (const item of endpointItems.registered(endpoint)) draft.write({ item });
      if (input.actor) recordAudit(draft, input.actor, auditOfEndpoint('register', endpoint));
      return endpoint;
    },
  });
}

export async function listEndpoints(ledger: Ledger, owner: string): Promise<EndpointView[]> {
  const { items } = await ledger.table.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.webhookSubscriptionsPk(owner),
      ':prefix': SK_PREFIX.webhookSubscription,
    },
  });
  return items.map((item) => endpointView(endpointFromItem(item)));
}

/** The endpoint, if `mayAccess` its owner; otherwise it does not exist for this caller (404). */
export async function getEndpoint(
  ledger: Ledger,
  endpointId: string,
  mayAccess: (owner: string) => boolean,
): Promise<WebhookEndpoint> {
  const item = await ledger.table.get(keys.webhookEndpoint(endpointId));
  const endpoint = item && endpointFromItem(item);
  if (!endpoint || !mayAccess(endpoint.owner)) throw new NotFound(`no webhook endpoint ${endpointId}`);
  return endpoint;
}

/** Removes it; `actor`: a service or member of staff removing another account's endpoint (audited). */
export async function removeEndpoint(ledger: Ledger, endpoint: WebhookEndpoint, actor?: Actor): Promise<void> {
  if (endpoint.owner === '*') {
    await ledger.table.transact(endpointItems.removed(endpoint));
    ledger.globalSubscribers.forget();
    return;
  }
  await run(ledger, {
    name: 'removeWebhookEndpoint',
    accountId: endpoint.owner,
    ...(actor ? { actor } : {}),
    plan: (draft) => {
      draft.changeWebhookEndpoints(-1);
      // Removed by a concurrent request already: that one counted it.
      const gone = () => new NotFound(`no webhook endpoint ${endpoint.endpointId}`);
      for (const item of endpointItems.removed(endpoint)) draft.write({ item, onConditionFailed: gone });
      if (actor) recordAudit(draft, actor, auditOfEndpoint('remove', endpoint));
    },
  });
}

function auditOfEndpoint(action: 'register' | 'remove', endpoint: WebhookEndpoint): AuditInput {
  const values = { url: endpoint.url, events: [...endpoint.events] };
  return {
    action: `webhook_endpoint.${action}`,
    subject: endpoint.endpointId,
    ...(action === 'register' ? { after: values } : { before: values }),
  };
}

/** An endpoint's deliveries, newest first, each with its attempts. */
export async function listDeliveries(ledger: Ledger, endpointId: string, limit = 50): Promise<Delivery[]> {
  const { items } = await ledger.table.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.webhookEndpoint(endpointId).pk, ':prefix': SK_PREFIX.webhookDelivery },
    ScanIndexForward: false,
    Limit: Math.min(limit, MAX_DELIVERIES_LISTED),
  });
  return items.map(deliveryFromItem);
}
