// One Lambda handler per route group, on middy with the official header and event normalizers.
// It finds the route by API Gateway's routeKey, checks the caller, validates query, path and
// body against the route's schemas, runs the group's implementation, and answers JSON, CSV or
// a problem+json. No implementation sees an unvalidated input.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { InvalidRequest, NotFound, ProviderUnavailable } from '../../core/errors.js';
import { errorFields, log } from '../../core/log.js';
import { METRICS, metrics } from '../../core/metrics.js';
import { logger } from '../log.js';
import { flushMetrics } from '../metrics.js';
import { type Caller, callerFrom, requireScope } from './auth.js';
import { jsonBody } from './json-body.js';
import { isFault, problemFrom, problemResponse } from './problem.js';
import { type RouteShape, routeKey } from './route.js';
import { type Runtime, runtime } from './runtime.js';
import { emptyQuery } from './schemas.js';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer & { parsedBody?: unknown };

type Parsed<S, Absent> = S extends z.ZodType ? z.output<S> : Absent;

/** What a handler gets: the route's params, query and body as its schemas output them. */
export interface Request<R extends RouteShape = RouteShape> {
  route: R;
  /** Absent only on public routes. */
  caller: Caller;
  params: Parsed<R['params'], Record<string, never>>;
  query: Parsed<R['query'], Record<string, never>>;
  body: Parsed<R['body'], undefined>;
  idempotencyKey: R['idempotencyKey'] extends 'required' ? string : string | undefined;
  /** The body exactly as sent, for routes that verify a signature over it (`rawBody`). */
  rawBody: R['rawBody'] extends true ? string : undefined;
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
  /** A PDF document (receipts, credit notes), sent base64-encoded as API Gateway expects binary. */
  pdf?: Uint8Array;
  headers?: Record<string, string>;
}

/** A route and the function that answers it. */
export interface Implemented {
  route: RouteShape;
  run(request: Request): Promise<Reply> | Reply;
}

/** Binds a handler to its route; the request it gets is typed by the route's schemas. */
export function implement<const R extends RouteShape>(
  route: R,
  run: (request: Request<R>) => Promise<Reply> | Reply,
): Implemented {
  // groupHandler builds the request from this route's own schemas, so it is a Request<R>.
  return { route, run: run as (request: Request) => Promise<Reply> | Reply };
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** A group's Lambda handler, as groupHandler makes it. */
export type GroupHandler = ReturnType<typeof groupHandler>;

/**
 * One Lambda handler for a group of routes. `use`: middlewares only this group needs, run before
 * the request is read (the secrets loader, for the groups given secrets: the others' bundles then
 * carry neither it nor its clients).
 */
export function groupHandler(implemented: Implemented[], options: { use?: MiddlewareObj[] } = {}) {
  const byKey = new Map(implemented.map((entry) => [routeKey(entry.route), entry]));
  return middy(async (event: HttpEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const local = (context as (Context & LocalContext) | undefined)?.ioCredits;
    const entry = byKey.get(event.routeKey);
    if (!entry) throw new NotFound(`no route ${event.routeKey}`);
    const { route } = entry;
    const caller = route.access === 'public' ? { sub: '', scopes: new Set<string>() } : callerFrom(event);
    if (route.access === 'admin' || route.access === 'service') requireScope(caller, route.access);
    logger.appendKeys({ route: event.routeKey, caller: caller.sub || undefined, ...pathKeys(event.pathParameters) });
    const request = {
      route,
      caller,
      params: validParams(route, event.pathParameters ?? {}),
      query: validate(route.query ?? emptyQuery, event.queryStringParameters ?? {}, 'query'),
      body: validate(route.body, event.parsedBody, 'body'),
      idempotencyKey: idempotencyKey(route, event.headers?.['idempotency-key']),
      rawBody: route.rawBody ? rawBodyOf(event) : undefined,
      headers: event.headers ?? {},
      runtime: local?.runtime ?? runtime(),
      ...(local ? { local } : {}),
    } as Request;
    return toResponse(await entry.run(request));
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics())
    .use(problemDetails(byKey))
    .use(options.use ?? [])
    .use(httpHeaderNormalizer())
    .use(httpEventNormalizer())
    .use(jsonBody((event) => byKey.get(event.routeKey)?.route.rawBody === true));
}

/** The ids a path names (chargeId, purchaseId, withdrawalId, accountId), as log keys. */
function pathKeys(params: Record<string, string | undefined> | undefined): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [name, value] of Object.entries(params ?? {})) if (value) keys[name] = value.slice(0, 64);
  return keys;
}

function rawBodyOf(event: HttpEvent): string {
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

/** A path parameter that does not match its schema names nothing that exists: 404. */
function validParams(route: RouteShape, params: Record<string, string | undefined>): unknown {
  if (!route.params) return {};
  const result = route.params.safeParse(params);
  if (result.success) return result.data;
  const [name = 'id'] = result.error.issues[0]?.path.map(String) ?? [];
  throw new NotFound(`no ${name.replace(/Id$/, '')} ${JSON.stringify(String(params[name]).slice(0, 64))}`);
}

function idempotencyKey(route: RouteShape, header: string | undefined): string | undefined {
  if (header === undefined) {
    if (route.idempotencyKey === 'required') throw new InvalidRequest('this route needs an Idempotency-Key header');
    return undefined;
  }
  if (!route.idempotencyKey) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) throw new InvalidRequest('Idempotency-Key must be 1-255 visible ASCII characters');
  return header;
}

function toResponse(reply: Reply): APIGatewayProxyStructuredResultV2 {
  if (reply.pdf !== undefined)
    return {
      statusCode: reply.status,
      headers: { 'content-type': 'application/pdf', ...reply.headers },
      body: Buffer.from(reply.pdf).toString('base64'),
      isBase64Encoded: true,
    };
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
function problemDetails(byKey: Map<string, Implemented>): MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const error = request.error;
      const problem = problemFrom(error, request.event.rawPath);
      const fields = {
        route: request.event.routeKey,
        status: problem.status,
        code: problem.code,
        detail: problem.detail,
        requestId: request.context?.awsRequestId,
      };
      // Faults and provider failures are ours to look at: logged with everything that caused them.
      if (isFault(error) || error instanceof ProviderUnavailable) {
        log().error('request failed', { ...fields, error: errorFields(error) });
      } else if (byKey.get(request.event.routeKey)?.route.rawBody) {
        log().warn('webhook refused', fields);
        metrics().add(METRICS.webhookRefusals, 1);
      }
      request.response = problemResponse(problem, error);
    },
  };
}
