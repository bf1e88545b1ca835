// One Lambda handler per route group, on middy with the official header and event normalizers.
// It finds the route by API Gateway's routeKey, checks the caller, validates query, path and
// body against the route's schemas, runs the group's implementation, and answers JSON, CSV or
// a problem+json. No implementation sees an unvalidated input.

import middy, { type MiddlewareObj } from '@middy/core';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { InvalidRequest, NotFound, ProviderUnavailable } from '../../core/errors.js';
import { type Caller, callerFrom, requireScope } from './auth.js';
import { jsonBody } from './json-body.js';
import { isFault, problemFrom, problemResponse } from './problem.js';
import { type Route, routeKey, routes } from './routes.js';
import { type Runtime, runtime } from './runtime.js';
import { accountIdParam, emptyQuery, ids } from './schemas.js';
import { secrets } from './secrets.js';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer & { parsedBody?: unknown };

export interface Request<Q = Record<string, never>, B = undefined> {
  route: Route;
  /** Absent only on public routes. */
  caller: Caller;
  query: Q;
  body: B;
  params: Record<string, string>;
  idempotencyKey?: string;
  /** The body exactly as sent, for routes that verify a signature over it (`rawBody`). */
  rawBody?: string;
  /** Lower-cased request headers. */
  headers: Record<string, string | undefined>;
  runtime: Runtime;
  /** Set by the local server only (see LocalContext). */
  local?: LocalContext['ioCredits'];
}

/**
 * What the local server hands each request on its Lambda context, so that several local servers
 * in one process (tests) each serve their own ledger, payments and URL. Lambda has none of it.
 */
export interface LocalContext {
  ioCredits?: { runtime: Runtime; payments: unknown; serverUrl: string; authSecret: string };
}

export interface Reply {
  status: number;
  body?: unknown;
  csv?: string;
  /** A page, for the local checkout only. */
  html?: string;
  headers?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Implementation = (request: Request<any, any>) => Promise<Reply> | Reply;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const PATH_PARAMS: Record<string, z.ZodType> = {
  chargeId: ids.charge,
  withdrawalId: ids.withdrawal,
  notificationId: ids.notification,
  purchaseId: ids.purchase,
  accountId: accountIdParam,
};

export function groupHandler(implementations: Record<string, Implementation>, routeList: Route[] = routes) {
  return middy(async (event: HttpEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const local = (context as (Context & LocalContext) | undefined)?.ioCredits;
    const route = routeList.find((r) => routeKey(r) === event.routeKey);
    const implementation = implementations[event.routeKey];
    if (!route || !implementation) throw new NotFound(`no route ${event.routeKey}`);
    const caller = route.access === 'public' ? { sub: '', scopes: new Set<string>() } : callerFrom(event);
    if (route.access === 'admin' || route.access === 'service') requireScope(caller, route.access);
    const request: Request<unknown, unknown> = {
      route,
      caller,
      params: validParams(event.pathParameters ?? {}),
      query: validate(route.query ?? emptyQuery, event.queryStringParameters ?? {}, 'query'),
      body: validate(route.body, event.parsedBody, 'body'),
      idempotencyKey: idempotencyKey(route, event.headers?.['idempotency-key']),
      ...(route.rawBody ? { rawBody: rawBodyOf(event) } : {}),
      headers: event.headers ?? {},
      runtime: local?.runtime ?? runtime(),
      ...(local ? { local } : {}),
    };
    return toResponse(await implementation(request));
  })
    .use(problemDetails(routeList))
    .use(secrets())
    .use(httpHeaderNormalizer())
    .use(httpEventNormalizer())
    .use(jsonBody((event) => routeList.find((r) => routeKey(r) === event.routeKey)?.rawBody === true));
}

function rawBodyOf(event: HttpEvent): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '')
    throw new InvalidRequest('this route takes a JSON body');
  if (!/^application\/(.+\+)?json(;|$)/i.test(event.headers?.['content-type'] ?? ''))
    throw new InvalidRequest('the body must be JSON, sent with Content-Type: application/json');
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function validate(schema: z.ZodType | undefined, input: unknown, where: 'query' | 'body'): unknown {
  if (!schema) {
    if (where === 'body' && input !== undefined) throw new InvalidRequest('this route takes no body');
    return input;
  }
  const result = schema.safeParse(input ?? (where === 'query' ? {} : undefined));
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new InvalidRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}

function validParams(params: Record<string, string | undefined>): Record<string, string> {
  const valid: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const schema = PATH_PARAMS[name];
    if (value === undefined || !schema || !schema.safeParse(value).success)
      throw new NotFound(`no ${name.replace(/Id$/, '')} ${JSON.stringify(String(value).slice(0, 64))}`);
    valid[name] = value;
  }
  return valid;
}

function idempotencyKey(route: Route, header: string | undefined): string | undefined {
  if (header === undefined) {
    if (route.idempotencyKey === 'required') throw new InvalidRequest('this route needs an Idempotency-Key header');
    return undefined;
  }
  if (!route.idempotencyKey) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) throw new InvalidRequest('Idempotency-Key must be 1-255 visible ASCII characters');
  return header;
}

function toResponse(reply: Reply): APIGatewayProxyStructuredResultV2 {
  if (reply.html !== undefined)
    return {
      statusCode: reply.status,
      headers: { 'content-type': 'text/html; charset=utf-8', ...reply.headers },
      body: reply.html,
    };
  if (reply.csv !== undefined)
    return {
      statusCode: reply.status,
      headers: { 'content-type': 'text/csv; charset=utf-8', ...reply.headers },
      body: reply.csv,
    };
  return {
    statusCode: reply.status,
    headers: { 'content-type': 'application/json', ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}

/** Turns every error into problem+json; logs faults (never their details to the client). */
function problemDetails(routeList: Route[]): MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const error = request.error;
      const problem = problemFrom(error, request.event.rawPath);
      const log = {
        route: request.event.routeKey,
        status: problem.status,
        code: problem.code,
        detail: problem.detail,
        requestId: request.context?.awsRequestId,
      };
      // Faults and provider failures are ours to look at: logged with everything that caused them.
      if (isFault(error) || error instanceof ProviderUnavailable) {
        console.error(JSON.stringify({ ...log, level: 'error', error: errorChain(error) }));
      } else if (routeList.find((r) => routeKey(r) === request.event.routeKey)?.rawBody) {
        console.warn(JSON.stringify({ ...log, level: 'warn', msg: 'webhook refused' }));
      }
      request.response = problemResponse(problem, error);
    },
  };
}

/** An error and its causes, for a log line. */
export function errorChain(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return String(error);
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause !== undefined && depth < 5 ? { cause: errorChain(error.cause, depth + 1) } : {}),
  };
}
