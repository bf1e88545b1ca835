// What a route is (the route table itself is routes.ts, one module per group under routes/):
// its method, path, Lambda function, who may call, and the schemas of what it takes.

import type * as z from 'zod';

export type Group =
  | 'events'
  | 'balance'
  | 'charges'
  | 'purchases'
  | 'webhooks'
  | 'withdrawals'
  | 'admin'
  | 'notifications'
  | 'receipts'
  | 'openapi';
/**
 * Who may call a route. `user`: any signed-in caller, on their own account (services and admins
 * may name another, see auth.ts); `service`: only tokens with credits:service or credits:admin,
 * for routes that give money to the account they act on; `admin`: credits:admin; `public`: no
 * token (signed provider webhooks, the OpenAPI document).
 */
export type Access = 'user' | 'service' | 'admin' | 'public';

/** A route of the deployed API (`Route`) or of the local server only (`local`). */
export interface RouteShape {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The Lambda function that serves it; its OpenAPI tag. */
  group: Group | 'local';
  access: Access;
  /**
   * What it does, for the OpenAPI document and the clients generated from it: the deployed API's
   * routes have theirs in route-docs.ts (out of the Lambda bundles), local-only routes here.
   */
  summary?: string;
  description?: string;
  /** The path's `{name}` parameters; one that does not match is a 404. */
  params?: z.ZodType<Record<string, string>>;
  query?: z.ZodType;
  body?: z.ZodType;
  idempotencyKey?: 'required' | 'optional';
  /**
   * The handler gets the body exactly as sent, unparsed: signed provider webhooks. Their refusals
   * are logged too, since nobody reads the answers a provider gets.
   */
  rawBody?: true;
  /** What it answers per status: the deployed API's routes in route-responses.ts, local-only routes here. */
  responses?: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

export interface Route extends RouteShape {
  group: Group;
}

/**
 * A route, with its types kept: a handler written for it (handler.ts `implement`) gets its params,
 * query and body as the route's schemas output them. The path's `{names}` must be the params'.
 */
export function defineRoute<const R extends RouteShape>(route: R): R {
  const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const declared = route.params ? Object.keys((route.params as unknown as z.ZodObject).shape).sort() : [];
  if (inPath.join() !== declared.join())
    throw new Error(
      `${route.method} ${route.path} declares params [${declared.join()}], its path has [${inPath.join()}]`,
    );
  return route;
}

export const routeKey = (route: Pick<RouteShape, 'method' | 'path'>) => `${route.method} ${route.path}`;
