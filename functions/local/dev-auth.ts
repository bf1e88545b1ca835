// Local stand-in for API Gateway's JWT authorizer: HS256 tokens signed with AUTH_DEV_SECRET.
// Never deployed; on AWS the authorizer checks real tokens before a handler runs.

import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type JWTPayload, jwtVerify, SignJWT } from 'jose';

export const DEV_ISSUER = 'io-credits-local';

/**
 * Who the local sign-in page offers: a user with credits, and two members of the finance team
 * (a payout over the dual-approval threshold needs both, SPEC §14).
 */
export const LOCAL_USERS = {
  demo: { sub: 'demo-user', name: 'Demo user', scope: undefined },
  finance: { sub: 'finance', name: 'Finance team', scope: 'credits:admin' },
  finance2: { sub: 'finance-2', name: 'Finance, second approver', scope: 'credits:admin' },
} as const;
export type LocalUser = keyof typeof LOCAL_USERS;

export async function signDevToken(secret: string, sub: string, scope?: string, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ ...(scope ? { scope } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(DEV_ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** The token's claims, or undefined when it is missing, malformed, expired or badly signed. */
export async function verifyDevToken(
  secret: string,
  authorization: string | undefined,
): Promise<JWTPayload | undefined> {
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) return undefined;
  const token = match[1]!;
  const known = verified.get(token);
  if (known && cachedKey?.secret === secret && Date.now() < known.expiresAtMs) return known.payload;
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), { algorithms: ['HS256'], issuer: DEV_ISSUER });
    remember(token, payload);
    return payload;
  } catch {
    return undefined;
  }
}

/**
 * Tokens already verified, until they expire, as API Gateway's authorizer would not make a
 * request pay for the same check twice. Bounded; cleared when the secret changes.
 */
const MAX_VERIFIED_TOKENS = 1_000;
const verified = new Map<string, { payload: JWTPayload; expiresAtMs: number }>();

function remember(token: string, payload: JWTPayload): void {
  if (payload.exp === undefined) return;
  if (verified.size >= MAX_VERIFIED_TOKENS) verified.delete(verified.keys().next().value!);
  verified.set(token, { payload, expiresAtMs: payload.exp * 1000 });
}

let cachedKey: { secret: string; key: KeyObject } | undefined;

/** The secret as a key object, made once: importing it on every request costs more than the check. */
function keyFor(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) {
    cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
    verified.clear();
  }
  return cachedKey.key;
}

/** AUTH_DEV_SECRET, or one generated once and kept in `file` so tokens survive restarts. */
export function devSecret(env: NodeJS.ProcessEnv, file: string): { secret: string; generated: boolean } {
  if (env.AUTH_DEV_SECRET) return { secret: env.AUTH_DEV_SECRET, generated: false };
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: false };
  const secret = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, generated: true };
}
