// Local stand-in for API Gateway's JWT authorizer: HS256 tokens signed with AUTH_DEV_SECRET.
// Never deployed; on AWS the authorizer checks real tokens before a handler runs.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';

export const DEV_ISSUER = 'io-credits-local';

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
export async function verifyDevToken(secret: string, authorization: string | undefined): Promise<JWTPayload | undefined> {
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) return undefined;
  try {
    const { payload } = await jwtVerify(match[1]!, new TextEncoder().encode(secret), { algorithms: ['HS256'], issuer: DEV_ISSUER });
    return payload;
  } catch {
    return undefined;
  }
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
