// SPEC §9: signed event webhooks. Endpoints and their secrets, the SSRF guard, the outbox written
// with the change, delivery through the (local) queue with backoff for 24 hours, the delivery log
// and the retry by hand, events that survive a crash between commit and delivery, and the SQS
// adapter's requests.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../core/index.js';
import { AWS_POLICY, checkWebhookTarget, guardedLookup, LOCAL_POLICY } from '../core/webhooks/address.js';
import {
  attemptDelivery,
  BACKOFF_MS,
  fanOut,
  GIVE_UP_AFTER_MS,
  type WebhookMessage,
  type WebhookQueue,
} from '../core/webhooks/delivery.js';
import { handleWebhookMessage } from '../core/webhooks/queue.js';
import type { WebhookSender } from '../core/webhooks/sender.js';
import { signatureOf } from '../core/webhooks/signature.js';
import { SqsWebhookQueue } from '../core/webhooks/sqs.js';
import { type Api, startApi } from './support/api.js';
import { c, deploy } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

interface Received {
  body: string;
  signature: string | undefined;
  event: { id: string; type: string; accountId: string; data: Record<string, unknown> };
}

/** A receiver on loopback: answers each request with the next status of `script` (then its last one). */
async function receiver(script: number[] = [200]) {
  const received: Received[] = [];
  let calls = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const status = script[Math.min(calls, script.length - 1)]!;
      calls += 1;
      received.push({
        body,
        signature: req.headers['io-credits-signature'] as string | undefined,
        event: JSON.parse(body),
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let api: Api;
const receivers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function listening(script?: number[]) {
  const r = await receiver(script);
  receivers.push(r);
  return r;
}

async function register(token: string, body: Record<string, unknown>) {
  const response = await api.call('POST', '/credits/webhook-endpoints', { token, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { endpointId: string; secret: string };
}

async function deliveriesOf(token: string, endpointId: string) {
  return (await api.call('GET', `/credits/webhook-endpoints/${endpointId}/deliveries`, { token })).body.items;
}

/** Lets the in-process queue finish what it was sent. */
async function settle() {
  await api.jobs.webhooks.drained();
}

/** Moves the test clock and runs what a clock move runs (grace schedules, sweeps). */
async function advance(ms: number) {
  api.clock.advance(ms);
  await api.jobs.afterClockMove();
  await settle();
}

const pay = (accountId: string, amount: string) => deploy(api.ledger, accountId, amount);

describe('signatures', () => {
  const body = JSON.stringify({ id: 'ev_1', type: 'charge.paid' });
  const now = Date.UTC(2026, 10, 26);
  const header = signatureOf(body, 'whsec_test', now / 1000);

  it('a receiver verifies what we signed, and nothing else', () => {
    expect(verifyWebhook(body, header, 'whsec_test', { nowMs: now })).toEqual({ valid: true, timestamp: now / 1000 });
    expect(verifyWebhook(`${body} `, header, 'whsec_test', { nowMs: now })).toMatchObject({ valid: false });
    expect(verifyWebhook(body, header, 'whsec_other', { nowMs: now })).toMatchObject({ valid: false });
    expect(verifyWebhook(body, undefined, 'whsec_test', { nowMs: now })).toMatchObject({ valid: false });
    expect(verifyWebhook(body, 'v1=00', 'whsec_test', { nowMs: now })).toMatchObject({ valid: false });
  });

  it('refuses a replay: a signature older than the tolerance', () => {
    expect(verifyWebhook(body, header, 'whsec_test', { nowMs: now + 301_000 })).toEqual({
      valid: false,
      reason: 'timestamp outside the tolerance',
    });
    expect(verifyWebhook(body, header, 'whsec_test', { nowMs: now + 299_000 }).valid).toBe(true);
  });

  it('refuses a signature dated beyond the tolerance in the future (a clock set ahead to outlive it)', () => {
    expect(verifyWebhook(body, header, 'whsec_test', { nowMs: now - 301_000 })).toEqual({
      valid: false,
      reason: 'timestamp outside the tolerance',
    });
    expect(verifyWebhook(body, header, 'whsec_test', { nowMs: now - 299_000 }).valid).toBe(true);
  });
});

describe('where a webhook may point', () => {
  const resolvesTo =
    (...addresses: string[]) =>
    async () =>
      addresses;

  it.each([
    ['http://hooks.example.com/x', 'https'],
    ['https://10.0.0.5/x', 'private'],
    ['https://127.0.0.1/x', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'private'],
    ['https://[::1]/x', 'private'],
    ['https://[::ffff:10.0.0.1]/x', 'private'],
    ['https://[fd00::1]/x', 'private'],
    ['https://user:pass@hooks.example.com/x', 'credentials'],
    ['not a url', 'URL'],
  ])('on AWS %s is refused (%s)', async (url, why) => {
    await expect(checkWebhookTarget(url, AWS_POLICY, resolvesTo('93.184.216.34'))).rejects.toThrow(why);
  });

  it('a name is refused when any address it resolves to is private (one DNS answer can not sneak it in)', async () => {
    await expect(
      checkWebhookTarget('https://hooks.example.com/x', AWS_POLICY, resolvesTo('93.184.216.34', '10.1.2.3')),
    ).rejects.toThrow('private');
    const url = await checkWebhookTarget('https://hooks.example.com/x', AWS_POLICY, resolvesTo('93.184.216.34'));
    expect(url.toString()).toBe('https://hooks.example.com/x');
  });

  it('locally, plain http to loopback is allowed; never elsewhere', async () => {
    await expect(checkWebhookTarget('http://127.0.0.1:9/x', LOCAL_POLICY)).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookTarget('http://127.0.0.1:9/x', AWS_POLICY)).rejects.toThrow('https');
    await expect(checkWebhookTarget('http://hooks.example.com/x', LOCAL_POLICY)).rejects.toThrow('https');
  });

  it('the connection itself refuses a name that now resolves to a private address (DNS rebinding)', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      guardedLookup(AWS_POLICY)('localhost', {}, (e) => resolve(e)),
    );
    expect(error?.code).toBe('EADDRNOTALLOWED');
  });

  it('over HTTP a refused URL is a 400 and registers nothing', async () => {
    const token = await api.token('ssrf-user');
    for (const url of ['https://169.254.169.254/x', 'ftp://example.com/x', 'http://10.0.0.1/x']) {
      const response = await api.call('POST', '/credits/webhook-endpoints', {
        token,
        body: { url, events: ['charge.paid'] },
      });
      expect(response.status, url).toBe(400);
    }
    expect((await api.call('GET', '/credits/webhook-endpoints', { token })).body).toEqual({ items: [] });
  });
});

describe('endpoints', () => {
  it('answer the secret once; a list never shows it', async () => {
    const token = await api.token('ep-owner');
    const r = await listening();
    const created = await register(token, { url: r.url, events: ['charge.paid', 'balance.low'] });
    expect(created).toMatchObject({
      endpointId: expect.stringMatching(/^we_/),
      accountId: 'ep-owner',
      url: r.url,
      events: ['balance.low', 'charge.paid'],
      secret: expect.stringMatching(/^whsec_[0-9a-f]{64}$/),
    });
    const listed = await api.call('GET', '/credits/webhook-endpoints', { token });
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.secret);
  });

  it("another user's endpoint does not exist for you; a service may register for every account", async () => {
    const [owner, other, service] = await Promise.all([
      api.token('ep-a'),
      api.token('ep-b'),
      api.token('deployments', 'credits:service'),
    ]);
    const r = await listening();
    const mine = await register(owner, { url: r.url, events: ['charge.paid'] });
    for (const [method, path] of [
      ['DELETE', `/credits/webhook-endpoints/${mine.endpointId}`],
      ['GET', `/credits/webhook-endpoints/${mine.endpointId}/deliveries`],
    ] as const)
      expect((await api.call(method, path, { token: other })).status).toBe(404);
    const forOther = await api.call('POST', '/credits/webhook-endpoints', {
      token: other,
      body: { url: r.url, events: ['charge.paid'], accountId: 'ep-a' },
    });
    expect(forOther.status).toBe(403);
    const global = await register(service, { url: r.url, events: ['charge.failed'] });
    expect(global).toMatchObject({ accountId: null });
    const removed = await api.call('DELETE', `/credits/webhook-endpoints/${global.endpointId}`, { token: service });
    expect(removed.body).toEqual({ endpointId: global.endpointId, removed: true });
    const removedMine = await api.call('DELETE', `/credits/webhook-endpoints/${mine.endpointId}`, { token: owner });
    expect(removedMine.status).toBe(200);
    expect((await api.call('GET', '/credits/webhook-endpoints', { token: owner })).body).toEqual({ items: [] });
  });
});

describe('an endpoint a service registered for an account', () => {
  it('is listed, its deliveries read and retried, and removed by services and admins naming the account', async () => {
    const [service, admin, owner, other] = await Promise.all([
      api.token('deployments', 'credits:service'),
      api.token('finance-1', 'credits:admin'),
      api.token('ep-c'),
      api.token('ep-d'),
    ]);
    const r = await listening();
    const made = await register(service, { url: r.url, events: ['charge.paid'], accountId: 'ep-c' });
    const path = `/credits/webhook-endpoints/${made.endpointId}`;
    await pay('ep-c', '1');
    await settle();
    expect(r.received.map((x) => x.event.accountId)).toEqual(['ep-c']);

    const listed = await api.call('GET', '/credits/webhook-endpoints?accountId=ep-c', { token: service });
    expect(listed.body.items.map((e: { endpointId: string }) => e.endpointId)).toEqual([made.endpointId]);
    const deliveries = await api.call('GET', `${path}/deliveries?accountId=ep-c`, { token: service });
    expect(deliveries.status, JSON.stringify(deliveries.body)).toBe(200);
    expect(deliveries.body.items).toHaveLength(1);
    const deliveryId = deliveries.body.items[0].deliveryId as string;
    const retried = await api.call('POST', `${path}/deliveries/${deliveryId}/retry?accountId=ep-c`, {
      token: service,
    });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    await settle();
    expect(r.received).toHaveLength(2);
    // The account's owner sees it too; another account, or a service naming another account, does not.
    expect((await api.call('GET', `${path}/deliveries`, { token: owner })).status).toBe(200);
    expect((await api.call('GET', `${path}/deliveries?accountId=ep-c`, { token: admin })).status).toBe(200);
    expect((await api.call('GET', `${path}/deliveries`, { token: other })).status).toBe(404);
    expect((await api.call('GET', `${path}/deliveries?accountId=ep-d`, { token: service })).status).toBe(404);
    expect((await api.call('DELETE', `${path}?accountId=ep-d`, { token: service })).status).toBe(404);

    const removed = await api.call('DELETE', `${path}?accountId=ep-c`, { token: service });
    expect(removed.body).toEqual({ endpointId: made.endpointId, removed: true });
    expect((await api.call('GET', '/credits/webhook-endpoints', { token: owner })).body).toEqual({ items: [] });
  });

  it('finance removes any endpoint', async () => {
    const [service, admin] = await Promise.all([
      api.token('deployments', 'credits:service'),
      api.token('finance-1', 'credits:admin'),
    ]);
    const r = await listening();
    const made = await register(service, { url: r.url, events: ['charge.paid'], accountId: 'ep-e' });
    const removed = await api.call('DELETE', `/credits/webhook-endpoints/${made.endpointId}`, { token: admin });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    const listed = await api.call('GET', '/credits/webhook-endpoints?accountId=ep-e', { token: admin });
    expect(listed.body).toEqual({ items: [] });
  });
});

describe('delivery', () => {
  it('each event the account asked for arrives once, signed, in the shape SPEC §9 gives', async () => {
    const token = await api.token('dl-1');
    const r = await listening();
    const { secret, endpointId } = await register(token, {
      url: r.url,
      events: ['purchase.completed', 'charge.paid', 'balance.low'],
    });
    await buyCredits(api.ledger, 'dl-1', c('20'));
    await pay('dl-1', '12.5');
    await settle();
    expect(r.received.map((x) => x.event.type).sort()).toEqual(['balance.low', 'charge.paid', 'purchase.completed']);
    for (const x of r.received) {
      expect(verifyWebhook(x.body, x.signature, secret, { nowMs: api.clock.nowMs() }).valid).toBe(true);
      expect(x.event).toMatchObject({ id: expect.stringMatching(/^ev_/), accountId: 'dl-1' });
      expect(Object.keys(x.event).sort()).toEqual(['accountId', 'createdAt', 'data', 'id', 'type']);
    }
    const paid = r.received.find((x) => x.event.type === 'charge.paid')!;
    expect(paid.event.data).toMatchObject({ amount: '12.50', wasPending: false });
    expect(r.received.find((x) => x.event.type === 'balance.low')!.event.data).toEqual({
      balance: '7.50',
      threshold: '10.00',
    });
    const deliveries = await api.call('GET', `/credits/webhook-endpoints/${endpointId}/deliveries`, { token });
    expect(deliveries.body.items).toHaveLength(3);
    expect(deliveries.body.items.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
  });

  it('a receiver that fails 3 times then succeeds gets the event acknowledged exactly once', async () => {
    const token = await api.token('dl-2');
    const r = await listening([500, 503, 500, 200]);
    const { endpointId } = await register(token, { url: r.url, events: ['purchase.completed'] });
    await buyCredits(api.ledger, 'dl-2', c('5'));
    await settle();
    expect(r.received).toHaveLength(1);
    for (const wait of BACKOFF_MS.slice(0, 3)) await advance(wait);
    expect(r.received).toHaveLength(4);
    await advance(BACKOFF_MS[3]! * 2); // nothing more is sent after the 2xx
    expect(r.received).toHaveLength(4);
    expect(new Set(r.received.map((x) => x.event.id)).size).toBe(1);
    const [delivery] = await deliveriesOf(token, endpointId);
    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts.map((a: { status: number }) => a.status)).toEqual([500, 503, 500, 200]);
  });

  it('a receiver that always fails is given up after 24 hours, attempts listed; a retry sends again', async () => {
    const token = await api.token('dl-3');
    const r = await listening([500]);
    const { endpointId } = await register(token, { url: r.url, events: ['purchase.completed'] });
    await buyCredits(api.ledger, 'dl-3', c('5'));
    await settle();
    let waited = 0;
    while (waited <= GIVE_UP_AFTER_MS) {
      const wait = BACKOFF_MS[Math.min(r.received.length - 1, BACKOFF_MS.length - 1)]!;
      await advance(wait);
      waited += wait;
    }
    const path = `/credits/webhook-endpoints/${endpointId}/deliveries`;
    const [delivery] = (await api.call('GET', path, { token })).body.items;
    expect(delivery.status).toBe('failed');
    expect(delivery.nextAttemptAt).toBeNull();
    expect(delivery.attempts).toHaveLength(8);
    expect(r.received).toHaveLength(8);
    const last = Date.parse(delivery.attempts.at(-1).at) - Date.parse(delivery.attempts[0].at);
    expect(last).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
    await advance(GIVE_UP_AFTER_MS);
    expect(r.received).toHaveLength(8);

    const retried = await api.call('POST', `${path}/${delivery.deliveryId}/retry`, { token });
    expect(retried.status).toBe(200);
    expect(retried.body.attempts).toHaveLength(9);
    expect(r.received).toHaveLength(9);
  });

  it('an event committed as the process died, before it was handed on, is delivered by the sweep', async () => {
    const token = await api.token('dl-4');
    const r = await listening();
    await register(token, { url: r.url, events: ['charge.paid'] });
    await buyCredits(api.ledger, 'dl-4', c('30'));
    const effects = api.ledger.effects;
    api.ledger.effects = undefined; // the process dies right after the commit
    try {
      await pay('dl-4', '1');
    } finally {
      api.ledger.effects = effects;
    }
    await settle();
    expect(r.received).toHaveLength(0);
    await advance(61_000); // the restarted process sweeps the outbox
    expect(r.received.map((x) => x.event.type)).toEqual(['charge.paid']);
  });

  it('a fan-out that runs twice writes each delivery once; two senders never send the same attempt', async () => {
    const token = await api.token('dl-5');
    const r = await listening();
    const { endpointId } = await register(token, { url: r.url, events: ['charge.paid'] });
    await buyCredits(api.ledger, 'dl-5', c('30'));
    const effects = api.ledger.effects;
    api.ledger.effects = undefined;
    const paid = await pay('dl-5', '2').finally(() => {
      api.ledger.effects = effects;
    });
    const sent: WebhookMessage[] = [];
    const queue: WebhookQueue = { send: async (messages) => (sent.push(...messages), { failed: 0 }) };
    const { items } = await api.ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'ACCT#dl-5', ':prefix': 'EVENT#' },
    });
    const event = items.find(
      (i) => i.type === 'charge.paid' && (i.data as { chargeId: string }).chargeId === paid.chargeId,
    )!;
    expect(await fanOut(api.ledger, queue, 'dl-5', String(event.id))).toBe(1);
    expect(await fanOut(api.ledger, queue, 'dl-5', String(event.id))).toBe(1);
    const deliveryId = (sent[0] as { deliveryId: string }).deliveryId;
    const results = await Promise.all([
      attemptDelivery(api.ledger, api.jobs.webhookSender, endpointId, deliveryId),
      attemptDelivery(api.ledger, api.jobs.webhookSender, endpointId, deliveryId),
    ]);
    expect(results.map((x) => x.result).sort()).toEqual(['delivered', 'skipped']);
    expect(r.received).toHaveLength(1);
    const listed = await api.call('GET', `/credits/webhook-endpoints/${endpointId}/deliveries`, { token });
    expect(listed.body.items).toHaveLength(1);
  });
});

describe('the SQS webhook queue', () => {
  const sqs = mockClient(SQSClient);

  it('sends ten messages a call, a retry delayed by at most 15 minutes', async () => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsWebhookQueue('https://sqs.us-east-1.amazonaws.com/1/webhooks', new SQSClient({}));
    const messages: WebhookMessage[] = Array.from({ length: 12 }, (_, i) => ({
      kind: 'event',
      accountId: 'a',
      eventId: `ev_${i}`,
    }));
    expect(await queue.send(messages)).toEqual({ failed: 0 });
    await queue.send([{ kind: 'delivery', endpointId: 'we_1', deliveryId: 'dl_1' }], 3_600);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries!.length)).toEqual([10, 2, 1]);
    expect(calls[0]!.Entries![0]).toEqual({ Id: 'm0', MessageBody: JSON.stringify(messages[0]) });
    expect(calls[2]!.Entries![0]).toMatchObject({ DelaySeconds: 900 });
  });

  it('a delivery message that arrives before its attempt is due is sent on with the time left', async () => {
    const token = await api.token('dl-6');
    const r = await listening([500]);
    const { endpointId } = await register(token, { url: r.url, events: ['purchase.completed'] });
    await buyCredits(api.ledger, 'dl-6', c('5'));
    await settle();
    const [delivery] = await deliveriesOf(token, endpointId);
    const sent: { messages: WebhookMessage[]; delay?: number }[] = [];
    const queue: WebhookQueue = { send: async (messages, delay) => (sent.push({ messages, delay }), { failed: 0 }) };
    const never: WebhookSender = { post: async () => expect.fail('an early message must not be sent') };
    await handleWebhookMessage(api.ledger, queue, never, {
      kind: 'delivery',
      endpointId,
      deliveryId: delivery.deliveryId,
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.delay).toBeCloseTo(BACKOFF_MS[0]! / 1000, 0);
  });
});

describe('the outbox', () => {
  const eventsOf = async (accountId: string) =>
    (
      await api.ledger.table.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `ACCT#${accountId}`, ':prefix': 'EVENT#' },
      })
    ).items;

  it('an account nobody listens to writes no events: it pays nothing for them', async () => {
    await buyCredits(api.ledger, 'quiet-1', c('50'));
    await pay('quiet-1', '45');
    expect(await eventsOf('quiet-1')).toEqual([]);
  });

  it('with an endpoint, each event is written with the change it reports, and kept 30 days', async () => {
    const r = await listening();
    await register(await api.token('cost-1'), { url: r.url, events: ['charge.paid'] });
    await buyCredits(api.ledger, 'cost-1', c('50'));
    const items = await eventsOf('cost-1');
    expect(items.map((i) => i.type)).toEqual(['purchase.completed']);
    expect(items[0]!.ttl).toBe(Math.floor((api.clock.nowMs() + 30 * 86_400_000) / 1000));
    await settle();
  });

  it('an endpoint for every account makes every account write its events, from its registration on', async () => {
    const service = await api.token('deployments', 'credits:service');
    const r = await listening();
    const global = await register(service, { url: r.url, events: ['charge.paid'] });
    await buyCredits(api.ledger, 'quiet-2', c('10'));
    await pay('quiet-2', '1');
    await settle();
    expect(r.received.map((x) => [x.event.type, x.event.accountId])).toEqual([['charge.paid', 'quiet-2']]);
    await api.call('DELETE', `/credits/webhook-endpoints/${global.endpointId}`, { token: service });
    await pay('quiet-2', '1');
    // The first charge's (it crossed the default alert threshold too); none from the one after the removal.
    expect((await eventsOf('quiet-2')).map((i) => i.type).sort()).toEqual([
      'balance.low',
      'charge.paid',
      'purchase.completed',
    ]);
  });
});
