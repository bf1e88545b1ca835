// The local server: serves the Lambda handlers over HTTP by turning each request into the API
// Gateway v2 event the handler would get on AWS (route key, path parameters, query, headers,
// JWT claims), and the built Usage & Billing app on the same origin, as CloudFront does. Dev
// tokens stand in for the JWT authorizer. Local-only routes live here and are never deployed.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { InvalidRequest, MethodNotAllowed, NotFound, Unauthorized } from '../../core/errors.js';
import { handler as admin } from '../admin.js';
import { handler as balance } from '../balance.js';
import { handler as charges } from '../charges.js';
import { handler as events } from '../events.js';
import type { HttpEvent, LocalContext } from '../http/handler.js';
import { type GroupHandler } from '../http/handler.js';
import type { Payments } from '../http/payments.js';
import { problemFrom, problemResponse } from '../http/problem.js';
import { type Group, type Route, routeKey, routes } from '../http/routes.js';
import type { Runtime } from '../http/runtime.js';
import { handler as notifications } from '../notifications.js';
import { handler as openapi } from '../openapi.js';
import { handler as purchases } from '../purchases.js';
import { handler as receipts } from '../receipts.js';
import { handler as webhooks } from '../webhooks.js';
import { handler as withdrawals } from '../withdrawals.js';
import { verifyDevToken } from './dev-auth.js';
import { LocalCheckout, standInsOf } from './local-providers.js';
import { type LocalRoute, localRoutes } from './local-routes.js';
import { webFile } from './web-files.js';

const HANDLERS = {
  admin,
  events,
  balance,
  charges,
  notifications,
  receipts,
  openapi,
  purchases,
  webhooks,
  withdrawals,
} satisfies Record<Group, GroupHandler>;
const MAX_BODY_BYTES = 1024 * 1024;

export interface LocalServerOptions {
  runtime: Runtime;
  /** Checkout providers, limits and webhook secrets; the local checkout stands in for a missing provider. */
  payments: Payments;
  authSecret: string;
  port: number;
  host?: string;
  /** The built Usage & Billing app (web/dist), served at `/`; absent: the API alone. */
  webRoot?: string;
}

export interface LocalServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

interface Matcher {
  route: Route | LocalRoute;
  pattern: RegExp;
  names: string[];
}

const matchers: Matcher[] = [...routes, ...localRoutes].map((route) => {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${route.path.replace(/\{(\w+)\}/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`,
  );
  return { route, pattern, names };
});

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const server = createServer((req, res) => {
    serve(req, res, options).catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'error', msg: 'local server fault', error: String(error) }));
      send(res, problemResponse(problemFrom(error)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${options.port} is already in use: stop what holds it or set PORT to another port`)
          : error,
      ),
    );
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  for (const provider of Object.values(options.payments.checkout))
    if (provider instanceof LocalCheckout) {
      provider.serverUrl = url;
      provider.nowMs = () => options.runtime.ledger.nowMs();
    }
  // The providers' stand-ins answer their list calls on a port of their own (provider-stand-ins.ts).
  const standIns = standInsOf(options.payments);
  await standIns?.listen(options.host ?? '127.0.0.1');
  urlOf.set(options, url);
  return {
    url,
    server,
    close: async () => {
      await standIns?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, options: LocalServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
  const candidates = matchers.map((m) => ({ m, match: m.pattern.exec(path) })).filter((c) => c.match);
  const found = candidates.find((c) => c.m.route.method === method);
  if (!found && options.webRoot && (method === 'GET' || method === 'HEAD')) {
    const page = await webFile(options.webRoot, path);
    if (page) {
      res.writeHead(page.status, { ...page.headers, 'content-length': page.body.length });
      res.end(method === 'HEAD' ? undefined : page.body);
      return;
    }
  }
  if (!found) {
    if (candidates.length > 0) {
      const allowed = candidates.map((c) => c.m.route.method);
      return refuse(
        res,
        new MethodNotAllowed(`${method} is not allowed here; use ${allowed.join(', ')}`, allowed),
        path,
      );
    }
    return refuse(res, new NotFound(`no route ${method} ${path}`), path);
  }
  const { route, names } = found.m;
  const pathParameters: Record<string, string> = {};
  names.forEach((name, i) => {
    pathParameters[name] = safeDecode(found.match![i + 1]!);
  });

  const body = await readBody(req);
  if (body === undefined) return refuse(res, new InvalidRequest(`the body is over ${MAX_BODY_BYTES} bytes`), path);
  let claims: Record<string, unknown> | undefined;
  if (route.access !== 'public') {
    claims = (await verifyDevToken(options.authSecret, header(req, 'authorization'))) as
      | Record<string, unknown>
      | undefined;
    if (!claims) return refuse(res, new Unauthorized('a valid bearer token is required'), path);
  }

  // Maps, not object literals: a parameter named __proto__ or constructor is data like any other
  // (API Gateway hands it on as a plain key, and the schema then refuses it).
  const queryValues = new Map<string, string>();
  for (const [key, value] of url.searchParams)
    queryValues.set(key, queryValues.has(key) ? `${queryValues.get(key)},${value}` : value);
  const query = Object.fromEntries(queryValues);
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(req.headers).flatMap(([key, value]) =>
      value === undefined ? [] : [[key.toLowerCase(), Array.isArray(value) ? value.join(',') : value]],
    ),
  );
  const event = {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: path,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: queryValues.size ? query : undefined,
    pathParameters: names.length ? pathParameters : undefined,
    body: body.length ? body : undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: (claims ?? {}) as Record<string, string>, scopes: [] },
      },
    },
  } as unknown as Parameters<GroupHandler>[0];

  const handler = route.group === 'local' ? route.handler : HANDLERS[route.group];
  send(res, await handler(event, lambdaContext(event, options)));
}

/** Each server's own URL, known once it listens. */
const urlOf = new WeakMap<LocalServerOptions, string>();

function lambdaContext(event: HttpEvent, options: LocalServerOptions): Context & LocalContext {
  return {
    ioCredits: {
      runtime: options.runtime,
      payments: options.payments,
      serverUrl: urlOf.get(options) ?? '',
      authSecret: options.authSecret,
    },
    awsRequestId: event.requestContext.requestId,
    functionName: 'io-credits-local',
    getRemainingTimeInMillis: () => 29_000,
  } as unknown as Context;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The body as text, or undefined when it is over MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return Promise.resolve('');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function refuse(res: ServerResponse, error: Error, path: string): void {
  send(res, problemResponse(problemFrom(error, path), error));
}

function send(res: ServerResponse, response: APIGatewayProxyStructuredResultV2): void {
  const text = typeof response.body === 'string' ? response.body : '';
  const body = response.isBase64Encoded ? Buffer.from(text, 'base64') : text;
  res.writeHead(response.statusCode ?? 200, {
    ...(response.headers as Record<string, string>),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
