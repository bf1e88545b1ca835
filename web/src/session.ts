// A signed-in session and what the app reads of its token: shared by the sign-in (auth.tsx) and
// OpenID Connect (oidc.ts, loaded on demand), so neither imports the other.

export interface Session {
  token: string;
  sub: string;
  name: string;
  scopes: string[];
}

/** The claims the app shows (sub, scope); the API checks the token, so it is only read here. */
export function claimsOf(token: string): { sub: string; scopes: string[]; name?: string } {
  const payload = token.split('.')[1] ?? '';
  const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
    sub?: string;
    scope?: string;
    name?: string;
  };
  return {
    sub: json.sub ?? '',
    scopes: (json.scope ?? '').split(' ').filter(Boolean),
    ...(json.name ? { name: json.name } : {}),
  };
}
