// Who may call what, on every route: the account's owner, another user, a service
// (credits:service), an admin (credits:admin) and nobody. A refusal never changes the account it
// aimed at and never shows anything of it. Each route's sample says who could gain money by
// calling it and what stops them (tests/support/route-samples.ts); the rules below are the answer.

import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey, routes } from '../functions/http/routes.js';
import { signDevToken } from '../functions/local/dev-auth.js';
import { localRoutes } from '../functions/local/local-routes.js';
import { type Api, startApi } from './support/api.js';
import { accountItems, expectInvariants } from './support/ledger.js';
import { actingFor, type Reach, routeSamples, send } from './support/route-samples.js';

type Caller = 'owner' | 'owner naming itself' | 'another user' | 'service' | 'admin' | 'no token';
/** 'ok' is any 2xx; 'not theirs' is whatever the caller's own account gives, never the owner's data. */
type Outcome = 'ok' | 'not theirs' | 401 | 403;

const RULES: Record<Reach, Record<Caller, Outcome>> = {
  'account-read': {
    owner: 'ok',
    'owner naming itself': 'ok',
    'another user': 403,
    service: 'ok',
    admin: 'ok',
    'no token': 401,
  },
  'account-write': {
    owner: 'ok',
    'owner naming itself': 'ok',
    'another user': 403,
    service: 'ok',
    admin: 403,
    'no token': 401,
  },
  // Routes that give money to the account they act on: never the owner's own decision.
  credit: { owner: 403, 'owner naming itself': 403, 'another user': 403, service: 'ok', admin: 'ok', 'no token': 401 },
  own: {
    owner: 'ok',
    'owner naming itself': 'ok',
    'another user': 'not theirs',
    service: 'not theirs',
    admin: 'not theirs',
    'no token': 401,
  },
  admin: { owner: 403, 'owner naming itself': 403, 'another user': 403, service: 403, admin: 'ok', 'no token': 401 },
  public: {
    owner: 'ok',
    'owner naming itself': 'ok',
    'another user': 'ok',
    service: 'ok',
    admin: 'ok',
    'no token': 'ok',
  },
};

let api: Api;
let owners = 0;

beforeAll(async () => {
  api = await startApi();
});

const IDS = /\b(?:ch|wd|nt|lot|rf|pu)_[0-9A-HJKMNP-TV-Z]{26}\b/g;

async function tokenOf(caller: Caller, owner: string): Promise<string | undefined> {
  switch (caller) {
    case 'owner':
    case 'owner naming itself':
      return api.token(owner);
    case 'another user':
      return api.token(`${owner}-intruder`);
    case 'service':
      return api.token('deployments', 'credits:service');
    case 'admin':
      return api.token('finance', 'credits:admin');
    case 'no token':
      return undefined;
  }
}

it('every route of the API and of the local server has a sample request', () => {
  const all = [...routes, ...localRoutes].map(routeKey).sort();
  expect(Object.keys(routeSamples).sort()).toEqual(all);
});

const cases = Object.entries(routeSamples).flatMap(([key, sample]) =>
  (Object.entries(RULES[sample.reach]) as [Caller, Outcome][]).map(([caller, outcome]) => ({
    key,
    sample,
    caller,
    outcome,
  })),
);

it('every route says who could gain money by calling it', () => {
  for (const [key, sample] of Object.entries(routeSamples)) expect(sample.money.length, key).toBeGreaterThan(10);
});

describe.each(cases)('$key as $caller', ({ key, sample, caller, outcome }) => {
  const says =
    outcome === 'ok' ? 'allowed' : outcome === 'not theirs' ? 'kept to its own account' : `refused with ${outcome}`;
  it(`is ${says}`, async () => {
    const owner = `owner-${++owners}`;
    const prepared = await sample.prepare(api, owner);
    const call =
      caller === 'owner' || caller === 'no token' || sample.reach === 'own' || sample.reach === 'public'
        ? prepared
        : actingFor(sample, prepared, owner);
    const before = await accountItems(api.ledger.table, owner);
    const response = await send(api, call, await tokenOf(caller, owner));

    if (outcome === 'ok') {
      expect(response.status, `${key}: ${response.text}`).toBeGreaterThanOrEqual(200);
      expect(response.status).toBeLessThan(300);
      await expectInvariants(api.ledger, owner);
      return;
    }
    // Whatever the refusal, the owner's account is as it was and nothing of it is shown.
    expect(await accountItems(api.ledger.table, owner)).toEqual(before);
    const ownerIds: string[] = JSON.stringify(before).match(IDS) ?? [];
    const shown: string[] = response.text.match(IDS) ?? [];
    expect(shown.filter((id) => ownerIds.includes(id) && !call.path.includes(id))).toEqual([]);
    expect(response.text).not.toContain(`"${owner}"`);
    if (outcome === 'not theirs') {
      // The caller's own account answers: a 2xx on it, or 403/404 for what it does not hold.
      expect(
        response.status === 403 || response.status === 404 || (response.status >= 200 && response.status < 300),
        `${response.status} ${response.text}`,
      ).toBe(true);
      return;
    }
    expect(response.status, response.text).toBe(outcome);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.code).toBe(outcome === 401 ? 'unauthorized' : 'forbidden');
  });
});

describe('tokens the local server refuses', () => {
  const secretKey = () => new TextEncoder().encode(api.secret);
  const refusals: [string, () => Promise<string>][] = [
    [
      'signed with another secret',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setIssuer('io-credits-local')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('not-the-secret')),
    ],
    [
      'expired',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setIssuer('io-credits-local')
          .setIssuedAt(1_700_000_000)
          .setExpirationTime(1_700_000_600)
          .sign(secretKey()),
    ],
    [
      'without a subject',
      () =>
        new SignJWT({ scope: 'credits:admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('io-credits-local')
          .setExpirationTime('1h')
          .sign(secretKey()),
    ],
    [
      'from another issuer',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setIssuer('elsewhere')
          .setExpirationTime('1h')
          .sign(secretKey()),
    ],
    [
      'unsigned (alg none)',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', iss: 'io-credits-local', exp: 4_000_000_000 })}.`,
    ],
    [
      'with a tampered scope',
      async () => {
        const [header, , signature] = (await api.token('alice')).split('.');
        const claims = b64({ sub: 'alice', scope: 'credits:admin', iss: 'io-credits-local', exp: 4_000_000_000 });
        return `${header}.${claims}.${signature}`;
      },
    ],
  ];

  it.each(refusals)('a token %s is 401', async (_name, make) => {
    const response = await api.call('GET', '/admin/withdrawals', { token: await make() });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('unauthorized');
  });

  it('a token that was good stops working when it expires', async () => {
    const shortLived = await signDevToken(api.secret, 'alice', undefined, '1s');
    expect((await api.call('GET', '/credits/balance', { token: shortLived })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await api.call('GET', '/credits/balance', { token: shortLived })).status).toBe(401);
  });

  it('a scheme other than Bearer is 401', async () => {
    const token = await api.token('alice');
    const response = await api.call('GET', '/credits/balance', { headers: { authorization: `Basic ${token}` } });
    expect(response.status).toBe(401);
  });
});

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
