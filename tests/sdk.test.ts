// The client library (SPEC §13) against the local server, the one `npm start` runs: its calls,
// retries that replay rather than charge twice (a connection dropped after the charge committed, a
// 503 with Retry-After), one error class per problem code, every page of transactions, webhook
// signatures and balance proofs checked, and waiting for a charge's outcome through its grace.

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../core/errors.js';
import { signatureOf } from '../core/webhooks/signature.js';
import {
  BusyError,
  ConflictError,
  ConnectionError,
  createClient,
  ERROR_CLASSES,
  errorFromAnswer,
  ForbiddenError,
  InternalError,
  InvalidRequestError,
  NotFoundError,
  OutcomeTimeoutError,
  type Proof,
  proofs,
  WebhookVerificationError,
  webhooks,
} from '../sdk/src/index.js';
import { type Api, startApi } from './support/api.js';
import { c } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

let api: Api;
let service: string;
let accounts = 0;
beforeAll(async () => {
  api = await startApi({ systemClock: true });
  service = await api.token('deployments', 'credits:service');
});
afterAll(() => api.server.close());

/** A new account with `credits` bought, and a service client acting for it. */
async function funded(credits: string, baseUrl = api.url, retry = {}) {
  const accountId = `sdk-${++accounts}`;
  if (credits !== '0') await buyCredits(api.ledger, accountId, c(credits));
  return { accountId, credits: createClient({ baseUrl, token: service, accountId, retry }) };
}

async function usageEntries(accountId: string): Promise<number> {
  const user = await api.token(accountId);
  const page = await api.call('GET', '/credits/transactions?type=usage', { token: user });
  return page.body.items.length;
}

/**
 * A proxy in front of the server: `script` decides, request by request, to forward it, to forward
 * it and drop the connection before the answer reaches the client, or to answer itself.
 */
async function proxy(
  script: (
    n: number,
    request: { method: string; url: string },
  ) => 'forward' | 'drop' | { status: number; headers?: Record<string, string>; body: unknown },
): Promise<{ url: string; requests: { method: string; url: string; key: string | undefined }[]; close: () => void }> {
  const requests: { method: string; url: string; key: string | undefined }[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = { method: req.method!, url: req.url!, key: req.headers['idempotency-key'] as string | undefined };
    requests.push(seen);
    const action = script(requests.length, seen);
    if (typeof action === 'object') {
      res.writeHead(action.status, { 'content-type': 'application/problem+json', ...action.headers });
      return res.end(JSON.stringify(action.body));
    }
    const headers = { ...req.headers } as Record<string, string>;
    delete headers.host;
    const upstream = await fetch(`${api.url}${req.url}`, {
      method: req.method!,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    // Committed upstream; the client never hears of it.
    if (action === 'drop') return req.socket.destroy();
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => server.close() };
}

describe('the calls of a deployment service', () => {
  it('checks, charges, reads, refunds and lists, acting for the account it names', async () => {
    const { accountId, credits } = await funded('20');
    expect(await credits.credits.check({ amount: '12.5', product: 'vm' })).toMatchObject({
      amount: '12.50',
      product: 'vm',
      withinAllowance: true,
      sufficient: true,
    });
    const charge = await credits.charges.create({ deploymentId: 'dep-1', product: 'vm', amount: '12.50' });
    expect(charge).toMatchObject({ status: 'paid', amount: '12.50', balance: '7.50' });
    expect(await credits.charges.get(charge.chargeId)).toMatchObject({
      status: 'paid',
      product: 'vm',
      refunded: '0.00',
    });
    expect(await credits.charges.refund(charge.chargeId, { amount: '2.25', reason: 'ended early' })).toMatchObject({
      amount: '2.25',
      balance: '9.75',
    });
    expect((await credits.credits.balance()).balance).toBe('9.75');
    // The user's own token acts for the user's account, with no accountId.
    const own = createClient({ baseUrl: api.url, token: await api.token(accountId) });
    expect((await own.credits.balance()).balance).toBe('9.75');
  });

  it('lists every transaction, page after page, newest first', async () => {
    const { credits } = await funded('100');
    for (let i = 0; i < 7; i += 1) await credits.charges.create({ deploymentId: `dep-${i}`, amount: `${i + 1}` });
    const seen: string[] = [];
    for await (const entry of credits.transactions.list({ type: 'usage', limit: '2' })) seen.push(entry.amount);
    expect(seen).toEqual(['-7.00', '-6.00', '-5.00', '-4.00', '-3.00', '-2.00', '-1.00']);
    const all = [];
    for await (const entry of credits.transactions.list()) all.push(entry.type);
    expect(all).toEqual([...Array(7).fill('usage'), 'purchase']);
  });

  it('cancels a charge waiting for payment; a second cancel answers as the first', async () => {
    const { credits } = await funded('0');
    const pending = await credits.charges.create({ deploymentId: 'dep-c', amount: '50' });
    expect(pending.status).toBe('pending_payment');
    expect(await credits.charges.cancel(pending.chargeId)).toEqual({ chargeId: pending.chargeId, status: 'cancelled' });
    expect(await credits.charges.cancel(pending.chargeId)).toEqual({ chargeId: pending.chargeId, status: 'cancelled' });
    // A charge that was paid can not be cancelled: the conflict stands.
    const { credits: other } = await funded('10');
    const paid = await other.charges.create({ deploymentId: 'dep-p', amount: '1' });
    await expect(other.charges.cancel(paid.chargeId)).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('retries replay the call, never repeat it', () => {
  it('a charge whose answer was lost after it committed is replayed with the same key: charged once', async () => {
    const dropper = await proxy((n) => (n === 1 ? 'drop' : 'forward'));
    try {
      const { accountId, credits } = await funded('20', dropper.url);
      const charge = await credits.charges.create({ deploymentId: 'dep-drop', amount: '5' });
      expect(charge).toMatchObject({ status: 'paid', balance: '15.00' });
      expect(dropper.requests).toHaveLength(2);
      expect(dropper.requests[1]!.key).toBe(dropper.requests[0]!.key);
      expect(await usageEntries(accountId)).toBe(1);
    } finally {
      dropper.close();
    }
  });

  it('a refund whose answer was lost is replayed with the same key: refunded once', async () => {
    const dropper = await proxy((n, r) => (n === 1 && r.url.includes('/refunds') ? 'drop' : 'forward'));
    try {
      const { accountId, credits } = await funded('20');
      const charge = await credits.charges.create({ deploymentId: 'dep-r', amount: '10' });
      const through = createClient({ baseUrl: dropper.url, token: service, accountId });
      const refund = await through.charges.refund(charge.chargeId, { amount: '4' });
      expect(refund.balance).toBe('14.00');
      expect(dropper.requests.filter((r) => r.url.includes('/refunds'))).toHaveLength(2);
      expect((await credits.charges.get(charge.chargeId)).refunded).toBe('4.00');
    } finally {
      dropper.close();
    }
  });

  it('waits the Retry-After of a 503, then succeeds; one longer than it will wait ends the retries', async () => {
    const busy = { status: 503, headers: { 'retry-after': '1' }, body: problem('busy', 503) };
    const flaky = await proxy((n) => (n === 1 ? busy : 'forward'));
    try {
      const { credits } = await funded('20', flaky.url);
      const started = performance.now();
      expect((await credits.charges.create({ deploymentId: 'dep-b', amount: '1' })).status).toBe('paid');
      expect(performance.now() - started).toBeGreaterThanOrEqual(990);
      expect(flaky.requests).toHaveLength(2);
    } finally {
      flaky.close();
    }
    const stuck = await proxy(() => ({ status: 503, headers: { 'retry-after': '120' }, body: problem('busy', 503) }));
    try {
      const { credits } = await funded('20', stuck.url);
      const error = await credits.charges.create({ deploymentId: 'dep-s', amount: '1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BusyError);
      expect(error).toMatchObject({ code: 'busy', status: 503, retryAfterSeconds: 120 });
      expect(stuck.requests).toHaveLength(1);
    } finally {
      stuck.close();
    }
  });

  it('retries 5xx twice by default, then gives the error; 4xx are not retried', async () => {
    const failing = await proxy(() => ({ status: 500, body: problem('internal', 500) }));
    try {
      const { credits } = await funded('0', failing.url, { backoffMs: 1 });
      await expect(credits.credits.check({ amount: '1' })).rejects.toBeInstanceOf(InternalError);
      expect(failing.requests).toHaveLength(3);
    } finally {
      failing.close();
    }
    const refusing = await proxy(() => ({ status: 400, body: problem('invalid_request', 400) }));
    try {
      const { credits } = await funded('0', refusing.url, { backoffMs: 1 });
      await expect(credits.credits.check({ amount: '1' })).rejects.toBeInstanceOf(InvalidRequestError);
      expect(refusing.requests).toHaveLength(1);
    } finally {
      refusing.close();
    }
  });

  it('gives up with a ConnectionError when no answer ever comes', async () => {
    const dead = await proxy(() => 'drop');
    try {
      const { accountId, credits } = await funded('20', dead.url, { backoffMs: 1 });
      const error = await credits.charges.create({ deploymentId: 'dep-x', amount: '1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(new Set(dead.requests.map((r) => r.key)).size).toBe(1);
      // Three attempts reached the ledger under one key: one charge.
      expect(await usageEntries(accountId)).toBe(1);
    } finally {
      dead.close();
    }
  });
});

describe('errors', () => {
  it('has one class per problem code, carrying the problem’s fields', async () => {
    expect(Object.keys(ERROR_CLASSES).sort()).toEqual([...ERROR_CODES, 'internal'].sort());
    for (const [code, Class] of Object.entries(ERROR_CLASSES)) {
      const error = errorFromAnswer(400, problem(code, 400));
      expect(error).toBeInstanceOf(Class);
      expect(error.code).toBe(code);
    }
    const { credits } = await funded('10');
    const invalid = await credits.charges.create({ deploymentId: 'dep-i', amount: '1.0000001' }).catch((e) => e);
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect(invalid.errors[0]).toMatchObject({ path: 'body.amount' });
    const user = createClient({ baseUrl: api.url, token: await api.token('sdk-someone') });
    const charge = await credits.charges.create({ deploymentId: 'dep-f', amount: '1' });
    await expect(user.charges.get(charge.chargeId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(user.charges.refund(charge.chargeId, { amount: '1' })).rejects.toBeInstanceOf(ForbiddenError);
    const over = await credits.charges.refund(charge.chargeId, { amount: '2' }).catch((e) => e);
    expect(over).toBeInstanceOf(ConflictError);
    expect(over).toMatchObject({ status: 409, code: 'conflict' });
  });
});

describe('waiting for the outcome', () => {
  it('waits through the grace window while the user tops up, and ends paid', async () => {
    const { accountId, credits } = await funded('0');
    const pending = await credits.charges.create({ deploymentId: 'dep-w', amount: '30' });
    expect(pending.status).toBe('pending_payment');
    setTimeout(() => void buyCredits(api.ledger, accountId, c('50')), 300);
    expect(await credits.charges.waitForOutcome(pending.chargeId, { pollIntervalMs: 100 })).toMatchObject({
      status: 'paid',
    });
  });

  it('gives the charge still pending when its time runs out', async () => {
    const { credits } = await funded('0');
    const pending = await credits.charges.create({ deploymentId: 'dep-t', amount: '30' });
    const error = await credits.charges
      .waitForOutcome(pending.chargeId, { timeoutMs: 250, pollIntervalMs: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeTimeoutError);
    expect((error as OutcomeTimeoutError).charge.status).toBe('pending_payment');
  });
});

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = JSON.stringify({
    id: 'ev_1',
    type: 'charge.paid',
    createdAt: '2026-01-31T12:00:00.000Z',
    accountId: 'a',
    data: {},
  });
  const now = Math.floor(Date.now() / 1000);

  it('accepts what the API signs, including while a secret is replaced', async () => {
    expect((await webhooks.verify(body, signatureOf(body, secret, now), secret)).id).toBe('ev_1');
    const rotating = `${signatureOf(body, 'whsec_old', now)},v1=${signatureOf(body, secret, now).split('v1=')[1]}`;
    expect((await webhooks.verify(body, rotating, secret)).type).toBe('charge.paid');
  });

  it('refuses an altered body, an altered or old timestamp, and a missing header', async () => {
    const header = signatureOf(body, secret, now);
    await expect(webhooks.verify(body.replace('"a"', '"b"'), header, secret)).rejects.toThrow(
      'signature does not match',
    );
    await expect(webhooks.verify(body, header.replace(`t=${now}`, `t=${now + 1}`), secret)).rejects.toThrow(
      'signature does not match',
    );
    const old = signatureOf(body, secret, now - 301);
    await expect(webhooks.verify(body, old, secret)).rejects.toThrow('timestamp outside the tolerance');
    expect((await webhooks.verify(body, old, secret, { toleranceSeconds: 600 })).id).toBe('ev_1');
    await expect(webhooks.verify(body, undefined, secret)).rejects.toBeInstanceOf(WebhookVerificationError);
  });
});

describe('balance proofs', () => {
  // A day's tree built here from SPEC §12's formulas with Node's crypto, independently of the library.
  const sha = (kind: string, json: string) =>
    createHash('sha256').update(`io-credits:${kind}:v1\n${json}`).digest('hex');
  const leaves = [
    { accountId: 'a1', headSeq: 3, headHash: 'ab'.repeat(32), balanceMicros: '12500000', creditMicros: '12500000' },
    { accountId: 'a2', headSeq: 1, headHash: 'cd'.repeat(32), balanceMicros: '-2000000', creditMicros: '0' },
    { accountId: 'a3', headSeq: 9, headHash: 'ef'.repeat(32), balanceMicros: '700000', creditMicros: '700000' },
    { accountId: 'a4', headSeq: 2, headHash: '01'.repeat(32), balanceMicros: '5000000', creditMicros: '5000000' },
    { accountId: 'a5', headSeq: 4, headHash: '23'.repeat(32), balanceMicros: '1', creditMicros: '1' },
  ];
  type Node = { hash: string; credit: bigint };
  const leafOf = (l: (typeof leaves)[number]): Node => ({
    hash: sha(
      'leaf',
      `{"accountId":"${l.accountId}","balanceMicros":"${l.balanceMicros}","creditMicros":"${l.creditMicros}",` +
        `"headHash":"${l.headHash}","headSeq":${l.headSeq}}`,
    ),
    credit: BigInt(l.creditMicros),
  });
  const join = (left: Node, right: Node): Node => {
    const credit = left.credit + right.credit;
    return { hash: sha('node', `{"creditMicros":"${credit}","left":"${left.hash}","right":"${right.hash}"}`), credit };
  };
  // RFC 6962's shape: split at the largest power of two below n.
  const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
  const root = (nodes: Node[]): Node =>
    nodes.length === 1
      ? nodes[0]!
      : join(root(nodes.slice(0, split(nodes.length))), root(nodes.slice(split(nodes.length))));
  const pathOf = (nodes: Node[], i: number): Proof['path'] => {
    if (nodes.length === 1) return [];
    const k = split(nodes.length);
    if (i < k) {
      const sibling = root(nodes.slice(k));
      return [
        ...pathOf(nodes.slice(0, k), i),
        { side: 'right', hash: sibling.hash, creditMicros: String(sibling.credit) },
      ];
    }
    const sibling = root(nodes.slice(0, k));
    return [
      ...pathOf(nodes.slice(k), i - k),
      { side: 'left', hash: sibling.hash, creditMicros: String(sibling.credit) },
    ];
  };
  const nodes = leaves.map(leafOf);
  const top = root(nodes);
  const digest = {
    day: '2026-12-04',
    cutoff: '2026-12-05T00:00:00.000Z',
    accounts: 5,
    root: top.hash,
    creditMicros: String(top.credit),
    prev: null,
  };
  const digestHash = sha(
    'digest',
    `{"accounts":5,"creditMicros":"${top.credit}","cutoff":"${digest.cutoff}",` +
      `"day":"${digest.day}","prev":null,"root":"${top.hash}"}`,
  );
  const proofOf = (i: number): Proof => ({ digest, digestHash, leaf: leaves[i]!, path: pathOf(nodes, i) });

  it('verifies every account’s proof against the published total', async () => {
    for (let i = 0; i < leaves.length; i += 1)
      expect(await proofs.verify(proofOf(i))).toMatchObject({
        valid: true,
        accountId: leaves[i]!.accountId,
        totalCreditMicros: 18_200_001n,
      });
  });

  it('refuses a proof whose balance, path, sums or digest were changed', async () => {
    const proof = proofOf(2);
    const changed: [Proof, string][] = [
      [{ ...proof, leaf: { ...proof.leaf, balanceMicros: '800000', creditMicros: '800000' } }, 'root'],
      [{ ...proof, leaf: { ...proof.leaf, creditMicros: '0' } }, 'leaf'],
      [
        {
          ...proof,
          path: proof.path.map((s, i) => (i === 0 ? { ...s, creditMicros: String(BigInt(s.creditMicros) + 1n) } : s)),
        },
        'root',
      ],
      [
        {
          ...proof,
          path: proof.path.map((s, i) => (i === 0 ? { ...s, side: s.side === 'left' ? 'right' : 'left' } : s)),
        },
        'root',
      ],
      [{ ...proof, digest: { ...proof.digest, creditMicros: '1' } }, 'digest'],
      [{ ...proof, digest: { ...proof.digest, root: '00'.repeat(32) }, digestHash: proof.digestHash }, 'digest'],
    ];
    for (const [bad, check] of changed) expect(await proofs.verify(bad)).toMatchObject({ valid: false, check });
  });

  it('names the check a proof fails: its shape before any hash, the total after the root', async () => {
    const proof = proofOf(2);
    const odd = (value: unknown) => value as string;
    const shapes: Proof[] = [
      { ...proof, leaf: { ...proof.leaf, balanceMicros: '8.5' } },
      { ...proof, leaf: { ...proof.leaf, creditMicros: odd(undefined) } },
      { ...proof, path: proof.path.map((s, i) => (i === 0 ? { ...s, side: odd('up') as 'left' } : s)) },
      { ...proof, path: proof.path.map((s, i) => (i === 0 ? { ...s, creditMicros: 'x' } : s)) },
      { ...proof, path: odd(null) as unknown as Proof['path'] },
    ];
    for (const bad of shapes) expect(await proofs.verify(bad)).toMatchObject({ valid: false, check: 'shape' });
    // A digest whose total is one more, published under its own hash: the root holds, the sum does not.
    const inflated = { ...proof.digest, creditMicros: String(BigInt(proof.digest.creditMicros) + 1n) };
    const rehashed = sha(
      'digest',
      `{"accounts":5,"creditMicros":"${inflated.creditMicros}","cutoff":"${inflated.cutoff}",` +
        `"day":"${inflated.day}","prev":null,"root":"${inflated.root}"}`,
    );
    expect(await proofs.verify({ ...proof, digest: inflated, digestHash: rehashed })).toMatchObject({
      valid: false,
      check: 'total',
    });
  });
});

function problem(code: string, status: number) {
  return { type: `https://docs.io.net/credits/problems/${code}`, title: code, status, detail: `a ${code}`, code };
}
