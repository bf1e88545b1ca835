// Fuzzing every route through the local server: a valid request with one or more things made
// wrong (malformed JSON, wrong types, huge, negative or over-precise amounts, unknown fields,
// bad query strings, path traversal in ids, bad tokens and Idempotency-Keys). Each is always a
// 4xx problem+json, never a 5xx, and no item in the table changes.
//
//   FUZZ_RUNS=N sets the number of requests (default 1000); FUZZ_SEED=S replays a failure.

import { request } from 'node:http';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { isValidAccountId } from '../core/table/keys.js';
import { routeByKey } from '../functions/http/routes.js';
import { type Api, startApi } from './support/api.js';
import { wholeTable } from './support/ledger.js';
import { allowedCaller, type RouteSample, routeSamples, type SampleCall } from './support/route-samples.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const OWNER = 'fuzz-owner';
const CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'insufficient_credits',
  'conflict',
  'idempotency_key_reused',
  'method_not_allowed',
];

/** A request as it goes on the wire. */
interface Wire {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string;
}

interface Target {
  key: string;
  sample: RouteSample;
  call: SampleCall;
  token: string | undefined;
}

type Poison = (wire: Wire) => Wire;

let api: Api;
let targets: Target[];

beforeAll(async () => {
  api = await startApi();
  targets = [];
  for (const [key, sample] of Object.entries(routeSamples)) {
    const { call, token } = await allowedCaller(api, sample, await sample.prepare(api, OWNER), OWNER);
    targets.push({ key, sample, call, token });
  }
});

function toWire(target: Target): Wire {
  const { call, token } = target;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, call.headers);
  const body = call.rawBody ?? (call.body !== undefined ? JSON.stringify(call.body) : undefined);
  return {
    method: call.method,
    path: call.path,
    query: Object.entries(call.query),
    headers,
    ...(body !== undefined ? { body } : {}),
  };
}

// ---- things that are wrong everywhere ----

/** Amounts no route accepts: negative, over-precise, over 1,000,000,000, or not a plain decimal. */
const badAmountText = fc.oneof(
  fc.constantFrom(
    '-1',
    '-0.01',
    '0.0000001',
    '1.1234567',
    '1000000000.01',
    '99999999999',
    '1e3',
    '1E-7',
    '0x10',
    '1,5',
    '+1',
    '.5',
    '5.',
    ' 1',
    '1 ',
    '',
    'NaN',
    'Infinity',
    '-Infinity',
    '１',
    '١',
    '1_000',
    'null',
    '12.50 credits',
  ),
  fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 30n }), fc.integer({ min: 7, max: 40 })).map(([n, decimals]) => {
    const digits = n.toString().padStart(decimals + 1, '0');
    return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`.replace(/0$/, '1');
  }),
  fc.bigInt({ min: 1_000_000_001n, max: 10n ** 40n }).map(String),
  fc.bigInt({ min: 1n, max: 10n ** 12n }).map((n) => `-${n}`),
);
/** The same, as a raw JSON number where JSON allows one (read from its text, never a float). */
const badAmountNumber = fc.constantFrom(
  '-1',
  '-0.5',
  '1e3',
  '1E-7',
  '1e400',
  '-1e400',
  '0.0000001',
  '1000000000.000001',
  '123456789012345678901234567890',
  '5e-324',
);
/** Body fields where a JSON number is a right type. */
const NUMERIC_FIELDS = ['amount', 'advanceSeconds', 'lowBalanceThreshold', 'threshold', 'monthlyLimit'];
/** Fields whose true and false are both valid. */
const BOOLEAN_FIELDS = ['enabled'];
/** Fields whose null is a valid value (no expiry; alerts off). */
const NULLABLE_FIELDS = ['expiresAt', 'lowBalanceThreshold'];
const wrongType = fc.constantFrom<unknown>(true, false, [], {}, ['12.50'], { amount: '1' }, [[[]]]);
const nonJsonContentType = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'json',
  'text/json',
);
const malformedJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"amount":}',
    "{'amount': '1'}",
    '{"amount": 01}',
    '{"amount": NaN}',
    '{"amount": Infinity}',
    '{"a":1,}',
    '[1,]',
    '{"amount": "1"} {"amount": "2"}',
    'undefined',
    '\u0000',
    '{"amount": "\\u12"}',
    '\uFEFF{}',
  ),
  fc.json().chain((json) => fc.constantFrom(`${json}}`, `${json},`, `{${json}`, `${json}]`, `[${json}`)),
);
const unknownKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'accountID', 'Amount', 'amount ', ''),
  fc.string({ minLength: 1, maxLength: 20 }).map((k) => `zz${k}`),
);
/** Path segments that name no item: traversal, encoded separators, and ids with a character no id has. */
const badSegment = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '..%2F..%2Fetc%2Fpasswd',
    '%2F',
    '%00',
    '%',
    '%zz',
    'ch_01ARZ3NDEKTSV4RRFFQ69G5FA',
    'wd_01arz3ndektsv4rrffq69g5fav',
    'nt_01ARZ3NDEKTSV4RRFFQ69G5FAVX',
    '*',
    '%20',
    'x'.repeat(300),
    '%F0%9F%92%B8',
  ),
  fc
    .tuple(
      fc.string({ maxLength: 30 }),
      fc.string({ minLength: 1, maxLength: 3 }).filter((s) => !isValidAccountId(s)),
    )
    .map(([a, b]) => encodeURIComponent(a + b)),
);
const badIdempotencyKey = fc.oneof(
  fc.constantFrom('has space', 'tab\there', 'x'.repeat(256), '"quoted value with spaces"'),
  fc.string({ minLength: 256, maxLength: 400, unit: fc.constantFrom('a', 'b', '-', '0') }),
);
const badToken = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'bearer x.y.z',
    'Basic YWxpY2U6c2VjcmV0',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJmdXp6LW93bmVyIn0.',
    'Bearer a.b.c',
  ),
  fc.string({ maxLength: 200, unit: fc.constantFrom('a', 'Z', '0', '-', '_', '.') }).map((s) => `Bearer ${s}`),
);
function isAccountIdSegment(segment: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '.' && decoded !== '..' && isValidAccountId(decoded);
}

/** Query values each known parameter refuses. */
const BAD_QUERY: Record<string, string[]> = {
  amount: ['-1', '0.0000001', '1e3', '', 'abc', '1000000000.01', 'Infinity'],
  limit: ['0', '101', '-1', 'abc', '1.5', '1e2', '', '0x10', '9999'],
  from: ['yesterday', '2026-02-30', '2026-13-01', '', '1700000000', '2026-11-24T10:00:00', '2026-11-24T24:00Z'],
  to: ['tomorrow', '2026-04-31', '', '2026/11/24'],
  type: ['bogus', 'USAGE', '', 'usage,refund'],
  format: ['xml', 'CSV', ''],
  granularity: ['week', 'hour', '', 'DAY'],
  status: ['bogus', 'pending', '', 'approved,rejected'],
  cursor: ['x', 'x.y', 'a.b.c', 'eyJhIjoiZnV6ei1vd25lciJ9.forged', '%'],
  accountId: ['', '../fuzz-owner', 'fuzz owner', 'x'.repeat(129), 'fuzz-owner/../x', '*'],
};

/** The body as an object to change, or {} when an earlier poison left it malformed. */
function bodyObject(wire: Wire): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(wire.body ?? '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function withJsonBody(wire: Wire, text: string): Wire {
  return { ...wire, body: text, headers: { ...wire.headers, 'content-type': 'application/json' } };
}

/** JSON text of `body` with the placeholder string replaced by raw JSON text. */
function withRaw(body: Record<string, unknown>, key: string, raw: string): string {
  const placeholder = '\u0001raw\u0001';
  return JSON.stringify({ ...body, [key]: placeholder }).replace(JSON.stringify(placeholder), raw);
}

/** The poisons that surely make `target`'s request wrong. */
function poisonsFor(target: Target): fc.Arbitrary<Poison>[] {
  const route = routeByKey(target.key);
  const { call, sample } = target;
  const body = call.body ?? {};
  const list: fc.Arbitrary<Poison>[] = [
    malformedJson.map((text) => (wire: Wire) => withJsonBody(wire, text)),
    fc.tuple(nonJsonContentType, fc.json()).map(([type, json]) => (wire: Wire) => ({
      ...wire,
      body: wire.body ?? json,
      headers: { ...wire.headers, 'content-type': type },
    })),
    fc.tuple(unknownKey, fc.jsonValue()).map(
      ([key, value]) =>
        (wire: Wire) =>
          withJsonBody(wire, JSON.stringify({ ...bodyObject(wire), [key]: value })),
    ),
    fc.tuple(unknownKey, fc.string({ maxLength: 20 })).map(([key, value]) => (wire: Wire) => ({
      ...wire,
      query: [...wire.query, [key, value]] as [string, string][],
    })),
    fc
      .constant('x'.repeat(65 * 1024))
      .map(
        (padding) => (wire: Wire) => withJsonBody(wire, JSON.stringify({ ...bodyObject(wire), description: padding })),
      ),
  ];
  if (sample.reach !== 'public')
    list.push(
      badToken.map((authorization) => (wire: Wire) => {
        const headers = { ...wire.headers };
        if (authorization === undefined) delete headers.authorization;
        else headers.authorization = authorization;
        return { ...wire, headers };
      }),
    );
  if ('amount' in body) {
    list.push(
      badAmountText.map(
        (text) => (wire: Wire) => withJsonBody(wire, JSON.stringify({ ...bodyObject(wire), amount: text })),
      ),
    );
    list.push(
      badAmountNumber.map((raw) => (wire: Wire) => withJsonBody(wire, withRaw(bodyObject(wire), 'amount', raw))),
    );
  }
  for (const field of Object.keys(body)) {
    list.push(
      wrongType
        .filter((value) => !(BOOLEAN_FIELDS.includes(field) && typeof value === 'boolean'))
        .map((value) => (wire: Wire) => withJsonBody(wire, JSON.stringify({ ...bodyObject(wire), [field]: value }))),
    );
    if (!NULLABLE_FIELDS.includes(field))
      list.push(
        fc.constant((wire: Wire) => withJsonBody(wire, JSON.stringify({ ...bodyObject(wire), [field]: null }))),
      );
    if (!NUMERIC_FIELDS.includes(field))
      list.push(
        fc.integer().map((n) => (wire: Wire) => withJsonBody(wire, withRaw(bodyObject(wire), field, String(n)))),
      );
  }
  for (const name of Object.keys(call.query).concat(
    route?.query && 'accountId' in ((route.query as unknown as { shape?: object }).shape ?? {}) ? ['accountId'] : [],
  )) {
    const values = BAD_QUERY[name];
    if (values)
      list.push(
        fc.constantFrom(...values).map((value) => (wire: Wire) => ({
          ...wire,
          query: [...wire.query.filter(([k]) => k !== name), [name, value]] as [string, string][],
        })),
      );
  }
  const segments = target.call.path.split('/');
  const routeSegments = (route?.path ?? '/admin/test-clock').split('/');
  routeSegments.forEach((segment, index) => {
    if (!segment.startsWith('{')) return;
    // An id that merely names nothing is a 404 too, but a well-formed account id is a real
    // (empty) account, so for accounts only segments no IO ID can be are used.
    // A last segment of '.' is no bad id: the URL resolves it away before sending, to the
    // collection above it (GET /credits/receipts/. is GET /credits/receipts/, the list).
    const last = index === routeSegments.length - 1;
    const bads = badSegment.filter(
      (bad) => !(segment === '{accountId}' && isAccountIdSegment(bad)) && !(last && bad === '.'),
    );
    list.push(
      bads.map((bad) => (wire: Wire) => ({ ...wire, path: segments.map((s, i) => (i === index ? bad : s)).join('/') })),
    );
  });
  if (route?.idempotencyKey) {
    list.push(
      badIdempotencyKey.map((key) => (wire: Wire) => ({
        ...wire,
        headers: { ...wire.headers, 'idempotency-key': key },
      })),
    );
    if (route.idempotencyKey === 'required') {
      list.push(
        fc.constant((wire: Wire) => {
          const headers = { ...wire.headers };
          delete headers['idempotency-key'];
          return { ...wire, headers };
        }),
      );
    }
  }
  return list;
}

/** Sends with node:http, which (unlike fetch) also sends a body on GET, as a client may. */
function sendWire(wire: Wire): Promise<{ status: number; contentType: string | undefined; text: string }> {
  const query = wire.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}${wire.path}${query ? `?${query}` : ''}`,
      {
        method: wire.method,
        headers: {
          ...wire.headers,
          ...(wire.body !== undefined ? { 'content-length': String(Buffer.byteLength(wire.body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(wire.body);
  });
}

it('every malformed request on every route is a 4xx problem+json and changes nothing', async () => {
  await api.jobs.webhooks.drained(); // the samples' own events, delivered before the snapshot
  const before = await wholeTable(api.ledger.table);
  const clockBefore = api.clock.nowMs();
  const request = fc.integer({ min: 0, max: targets.length - 1 }).chain((index) => {
    const target = targets[index]!;
    return fc.tuple(fc.constant(target), fc.array(fc.oneof(...poisonsFor(target)), { minLength: 1, maxLength: 3 }));
  });

  await fc.assert(
    fc.asyncProperty(request, async ([target, poisons]) => {
      const wire = poisons.reduce((w, poison) => poison(w), toWire(target));
      const response = await sendWire(wire);
      const where =
        `${target.key} → ${wire.method} ${wire.path}?${JSON.stringify(wire.query)} ` +
        `${wire.body?.slice(0, 200)}: ${response.status} ${response.text.slice(0, 300)}`;
      expect(response.status, where).toBeGreaterThanOrEqual(400);
      expect(response.status, where).toBeLessThan(500);
      expect(response.contentType, where).toBe('application/problem+json');
      const problem = JSON.parse(response.text) as { status: number; code: string; title: string; detail: string };
      expect(problem.status, where).toBe(response.status);
      expect(CODES, where).toContain(problem.code);
      expect(problem.title.length, where).toBeGreaterThan(0);
      expect(problem.detail.length, where).toBeGreaterThan(0);
      expect(response.text, where).not.toMatch(/node_modules|\bat \w+ \(|Exception|ValidationException|\.ts:\d+/);
    }),
    { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
  );

  expect(await wholeTable(api.ledger.table)).toEqual(before);
  expect(api.clock.nowMs()).toBe(clockBefore);
});

it('the valid requests the fuzz starts from are accepted', async () => {
  // Guards the fuzz itself: if a sample were refused already, poisoning it would prove nothing.
  // Each is sent once with a fresh owner, so it does not disturb the table checked above.
  const fresh = `${OWNER}-control`;
  for (const [key, sample] of Object.entries(routeSamples)) {
    const { call, token } = await allowedCaller(api, sample, await sample.prepare(api, fresh), fresh);
    const response = await sendWire(toWire({ key, sample, call, token }));
    expect(response.status, `${key}: ${response.text}`).toBeLessThan(300);
  }
});
