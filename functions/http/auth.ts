// Who is calling, from the JWT claims API Gateway's authorizer (or the local server) put on the
// event: `sub` is the account (the IO ID), `scope` may hold credits:service and credits:admin.
// A user reaches only their own account; a service may act for any account it names; an admin
// reaches /admin/* and may read any account. Routes that give money to the account they act on
// (refunds) are the deployment system's and finance's decision, never the account owner's.

import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { Forbidden, InvalidRequest, Unauthorized } from '../../core/errors.js';
import type { Actor } from '../../core/items/audit.js';
import { isValidAccountId } from '../../core/table/keys.js';

export const SERVICE_SCOPE = 'credits:service';
export const ADMIN_SCOPE = 'credits:admin';

export interface Caller {
  sub: string;
  scopes: Set<string>;
}

export function callerFrom(event: Partial<APIGatewayProxyEventV2WithJWTAuthorizer>): Caller {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '') throw new Unauthorized('a bearer token with a subject is required');
  const scope = claims?.scope;
  const scopes = new Set(
    typeof scope === 'string' ? scope.split(' ').filter(Boolean) : Array.isArray(scope) ? scope.map(String) : [],
  );
  return { sub, scopes };
}

/** The scopes, any one of which a route of each access level needs (none for `user` and `public`). */
export const SCOPES_OF: Record<'service' | 'admin', readonly string[]> = {
  service: [SERVICE_SCOPE, ADMIN_SCOPE],
  admin: [ADMIN_SCOPE],
};

/** A service or an admin: may act on (or read) accounts other than its own. */
export function isPrivileged(caller: Caller): boolean {
  return caller.scopes.has(SERVICE_SCOPE) || caller.scopes.has(ADMIN_SCOPE);
}

export function requireScope(caller: Caller, access: 'service' | 'admin'): void {
  const needed = SCOPES_OF[access];
  if (!needed.some((scope) => caller.scopes.has(scope)))
    throw new Forbidden(`this route needs the ${needed.join(' or ')} scope`);
}

/**
 * The account a request acts on: the caller's own, or `requested` when the caller may act for
 * others (services always; admins for reads).
 */
export function accountFor(caller: Caller, requested: string | undefined, access: 'read' | 'write' | 'credit'): string {
  const accountId = requested ?? caller.sub;
  if (!isValidAccountId(accountId))
    throw requested === undefined
      ? new Forbidden('the token subject is not a valid IO ID')
      : new InvalidRequest('accountId is not a valid IO ID');
  // `credit`: the route gives money to the account; requireScope has already kept owners out.
  if (access === 'credit') return accountId;
  if (accountId === caller.sub) return accountId;
  if (caller.scopes.has(SERVICE_SCOPE)) return accountId;
  if (access === 'read' && caller.scopes.has(ADMIN_SCOPE)) return accountId;
  throw new Forbidden('this token may act only for its own account');
}

/** Who makes a change, for the audit log (SPEC §14): the token's subject and its credits:* scopes. */
export function actorOf(caller: Caller): Actor {
  const scope = [...caller.scopes].filter((s) => s.startsWith('credits:')).sort();
  return { sub: caller.sub, scope: scope.join(' ') };
}
