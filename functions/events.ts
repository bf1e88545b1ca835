// /credits/webhook-endpoints: registering the endpoints that receive events (SPEC §9), listing
// them, removing them, and each one's deliveries with a retry by hand. Delivery itself runs in the
// webhook worker (functions/webhook-worker.ts), fed by the events every ledger commit writes.

import type { Actor } from '../core/items/audit.js';
import { type AddressPolicy, AWS_POLICY, LOCAL_POLICY } from '../core/webhooks/address.js';
import { retryDelivery } from '../core/webhooks/delivery.js';
import {
  endpointView,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  registerEndpoint,
  removeEndpoint,
} from '../core/webhooks/endpoints.js';
import { HttpWebhookSender, type WebhookSender } from '../core/webhooks/sender.js';
import { ADMIN_SCOPE, accountFor, actorOf, type Caller, isPrivileged } from './http/auth.js';
import { groupHandler, implement } from './http/handler.js';
import * as present from './http/present.js';
import { eventsRoutes as api } from './http/routes/events.js';
import type { Runtime } from './http/runtime.js';

/** On Lambda webhooks reach public addresses only; the local server may reach loopback receivers. */
export function webhooksFromEnv(env: NodeJS.ProcessEnv): { policy: AddressPolicy; sender: WebhookSender } {
  const policy = env.AWS_LAMBDA_FUNCTION_NAME ? AWS_POLICY : LOCAL_POLICY;
  return { policy, sender: new HttpWebhookSender(policy) };
}

let fromEnv: ReturnType<typeof webhooksFromEnv> | undefined;
const webhooksOf = (runtime: Runtime) => runtime.webhooks ?? (fromEnv ??= webhooksFromEnv(process.env));

/** Whose endpoints a request means: an account, or `*` (every account's: services and admins only). */
function ownerFor(caller: Caller, accountId: string | undefined): string {
  if (accountId === undefined && isPrivileged(caller)) return '*';
  return accountFor(caller, accountId, 'read');
}

/**
 * Who may manage an endpoint (read its deliveries, retry one, remove it) is who may register it:
 * the account's owner; services and admins for every account's endpoints, and for one account's
 * when they name it (`accountId`, as they did registering it). Finance may also remove any
 * endpoint without naming its account. Anyone else finds no such endpoint (404).
 */
const mayManage =
  (caller: Caller, requested: string | undefined, action: 'read' | 'retry' | 'remove') =>
  (owner: string): boolean => {
    // A user naming another account is refused as on every route (403), before anything is read.
    const accountId = requested === undefined ? undefined : accountFor(caller, requested, 'read');
    if (accountId !== undefined && accountId !== owner) return false;
    if (owner === caller.sub) return true;
    if (!isPrivileged(caller)) return false;
    if (owner === '*' || accountId === owner) return true;
    return action === 'remove' && caller.scopes.has(ADMIN_SCOPE);
  };

/**
 * The actor to audit when a service or member of staff changes another account's endpoints (SPEC
 * §14). Endpoints for every account (`*`) belong to no account's transaction and are not audited.
 */
function staffActing(caller: Caller, owner: string): Actor | undefined {
  return isPrivileged(caller) && owner !== caller.sub && owner !== '*' ? actorOf(caller) : undefined;
}

export const handler = groupHandler([
  implement(api.registerWebhookEndpoint, async ({ caller, body, runtime }) => {
    const owner = ownerFor(caller, body.accountId);
    const actor = staffActing(caller, owner);
    const endpoint = await registerEndpoint(runtime.ledger, {
      owner,
      url: body.url,
      events: body.events,
      policy: webhooksOf(runtime).policy,
      ...(actor ? { actor } : {}),
    });
    return { status: 201, body: { ...present.webhookEndpoint(endpointView(endpoint)), secret: endpoint.secret } };
  }),

  implement(api.webhookEndpoints, async ({ caller, query, runtime }) => ({
    status: 200,
    body: {
      items: (await listEndpoints(runtime.ledger, ownerFor(caller, query.accountId))).map(present.webhookEndpoint),
    },
  })),

  implement(api.removeWebhookEndpoint, async ({ caller, params, query, runtime }) => {
    const endpoint = await getEndpoint(runtime.ledger, params.endpointId, mayManage(caller, query.accountId, 'remove'));
    await removeEndpoint(runtime.ledger, endpoint, staffActing(caller, endpoint.owner));
    return { status: 200, body: { endpointId: endpoint.endpointId, removed: true as const } };
  }),

  implement(api.webhookDeliveries, async ({ caller, params, query, runtime }) => {
    await getEndpoint(runtime.ledger, params.endpointId, mayManage(caller, query.accountId, 'read'));
    const deliveries = await listDeliveries(runtime.ledger, params.endpointId, query.limit ?? 50);
    return { status: 200, body: { items: deliveries.map(present.webhookDelivery) } };
  }),

  implement(api.retryWebhookDelivery, async ({ caller, params, query, runtime }) => {
    await getEndpoint(runtime.ledger, params.endpointId, mayManage(caller, query.accountId, 'retry'));
    const sender = webhooksOf(runtime).sender;
    const delivery = await retryDelivery(runtime.ledger, sender, params.endpointId, params.deliveryId);
    return { status: 200, body: present.webhookDelivery(delivery) };
  }),
]);
