// The local providers' stand-ins as reconciliation reads them: the list calls of Stripe
// (`GET /v1/charges`, `/v1/refunds`, `/v1/disputes`) and of Spherepay (`GET /payment`) over HTTP,
// in the real APIs' shapes, from what the stand-ins took (stand-in-store.ts). The stripe SDK takes
// a host, port and protocol but no path prefix, so the stand-ins listen on a port of their own in
// the local server's process: Stripe at `/v1/…`, Spherepay under `/spherepay/v1/…`. Every request
// is logged (method, path, query, body) for tests to read. Never deployed.
//
// localPaymentsSources() answers the close's PaymentsSource[] on the local server: the real
// adapters (core/reconcile) pointed at these stand-ins, or at the real provider where its keys are set.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderName } from '../../core/items/purchase.js';
import type { ActivityLimits } from '../../core/reconcile/bounds.js';
import type { PaymentsSource } from '../../core/reconcile/port.js';
import { SpherepayActivity } from '../../core/reconcile/spherepay.js';
import { StripeActivity } from '../../core/reconcile/stripe.js';
import { paymentsSourcesFromEnv } from '../http/payments-sources.js';
import { StandInRefusal, spherepayList, stripeList } from './stand-in-lists.js';
import { StandInStores } from './stand-in-store.js';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
}

/** The request log keeps the latest requests only, so a long local run does not grow without end. */
export const MAX_LOGGED_REQUESTS = 10_000;
const MAX_BODY_BYTES = 64 * 1024;
/** The stand-ins' own path for Spherepay's API (its base URL, as SPHEREPAY_BASE_URL would be). */
export const SPHEREPAY_STAND_IN_PATH = '/spherepay/v1';

/** The local stand-ins have no rate limit to keep under; the bounds, retries and timeouts stay. */
const LOCAL_LIMITS: Partial<ActivityLimits> = { ratePerSecond: 1_000, burst: 100 };

export class ProviderStandIns {
  readonly stores: StandInStores;
  readonly requests: LoggedRequest[] = [];
  private server: Server | undefined;

  /**
   * `dir`: where the stores are kept (`.data/stand-ins` under `npm start`), none: in memory.
   * `providers`: the providers stood in for (those without keys).
   */
  constructor(
    readonly providers: ReadonlySet<ProviderName>,
    dir?: string,
  ) {
    this.stores = new StandInStores(dir);
  }

  /** Listens on a port of its own (0: any free one); answers its URL. Listening twice is once. */
  async listen(host = '127.0.0.1', port = 0): Promise<string> {
    if (!this.server) {
      const server = createServer((req, res) => {
        this.serve(req, res).catch(() => res.destroy());
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      this.server = server;
    }
    return this.url()!;
  }

  url(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? `http://${address.address}:${address.port}` : undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = await readBody(req);
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
    });
    if (this.requests.length > MAX_LOGGED_REQUESTS) this.requests.splice(0, this.requests.length - MAX_LOGGED_REQUESTS);
    try {
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
        throw new StandInRefusal(401, 'no API key given: send Authorization: Bearer <key>');
      if (req.method !== 'GET')
        throw new StandInRefusal(405, `the stand-ins answer list calls only, not ${req.method}`);
      const answer = url.pathname.startsWith(`${SPHEREPAY_STAND_IN_PATH}/`)
        ? spherepayList(this.stores.spherepay, url.pathname.slice(SPHEREPAY_STAND_IN_PATH.length), url.searchParams)
        : stripeList(this.stores.stripe, url.pathname, url.searchParams);
      reply(res, 200, answer);
    } catch (error) {
      const refusal = error instanceof StandInRefusal ? error : new StandInRefusal(500, String(error));
      // Each provider's own error shape, so its client reads the refusal as it would the real one.
      reply(
        res,
        refusal.status,
        url.pathname.startsWith(SPHEREPAY_STAND_IN_PATH)
          ? { error: { message: refusal.message } }
          : { error: { type: 'invalid_request_error', message: refusal.message } },
      );
    }
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The local server's PaymentsSource[] for the daily close: for a provider stood in for, its
 * adapter pointed at the stand-ins (which must be listening); otherwise the real adapter from the
 * provider's keys in `env`.
 */
export function localPaymentsSources(standIns: ProviderStandIns | undefined, env: NodeJS.ProcessEnv): PaymentsSource[] {
  const url = standIns?.url();
  const real = paymentsSourcesFromEnv(env);
  const local = (provider: ProviderName) => Boolean(url && standIns?.providers.has(provider));
  const sources: PaymentsSource[] = real.filter((source) => !local(source.provider));
  if (url && local('stripe')) {
    const { hostname, port } = new URL(url);
    sources.push(
      new StripeActivity({
        secretKey: 'sk_test_local_stand_in',
        endpoint: { host: hostname, port: Number(port), protocol: 'http' },
        limits: LOCAL_LIMITS,
      }),
    );
  }
  if (url && local('spherepay'))
    sources.push(
      new SpherepayActivity({
        apiKey: 'local_stand_in',
        baseUrl: `${url}${SPHEREPAY_STAND_IN_PATH}`,
        limits: LOCAL_LIMITS,
      }),
    );
  return sources;
}
