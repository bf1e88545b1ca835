// Who is signed in, and the API client that sends their token. On AWS: OpenID Connect,
// authorization code with PKCE, against the issuer the API's JWT authorizer trusts; the tokens are
// held in memory and renewed silently (oidc.ts, loaded only in that mode). Locally: the sign-in
// page asks the local server for a demo user's dev token (kept for the tab, so the trip to the
// checkout and back keeps it).

import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { type CreditsClient, call, createCreditsClient } from './api/client';
import type { WebConfig } from './config';
import type { Session } from './session';

export type { Session } from './session';

interface AuthValue {
  config: WebConfig;
  session: Session | null;
  /** Still finding out whether someone is signed in (a silent OpenID Connect sign-in). */
  checking: boolean;
  client: CreditsClient;
  isFinance: boolean;
  signInLocal(user: LocalUser): Promise<void>;
  signInWithProvider(): Promise<void>;
  /**
   * `user`: on purpose, the next sign-in starts afresh; `expired`: the API refused the token, the
   * next sign-in returns where it was.
   */
  signOut(reason: 'user' | 'expired'): void;
  /** Why the last sign-out happened, if one did. */
  signedOutBecause: 'user' | 'expired' | null;
}

/** The local server's sign-in page users (functions/local/dev-auth.ts). */
export type LocalUser = 'demo' | 'finance' | 'finance2';

const AuthContext = createContext<AuthValue | null>(null);
const SESSION_KEY = 'io-credits:session';
export const FINANCE_SCOPE = 'credits:admin';

function storedSession(): Session | null {
  try {
    const text = sessionStorage.getItem(SESSION_KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}

export function AuthProvider({ config, children }: { config: WebConfig; children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => (config.auth.mode === 'local' ? storedSession() : null));
  const [checking, setChecking] = useState(config.auth.mode === 'oidc');
  const tokenRef = useRef<string | undefined>(session?.token);
  tokenRef.current = session?.token;
  const client = useMemo(
    () => createCreditsClient({ baseUrl: config.apiUrl, token: () => tokenRef.current }),
    [config.apiUrl],
  );
  const oidcRef = useRef<Awaited<ReturnType<typeof import('./oidc').startOidc>> | null>(null);

  useEffect(() => {
    if (config.auth.mode !== 'oidc') return;
    let live = true;
    void import('./oidc').then(async ({ startOidc }) => {
      const oidc = await startOidc(
        config.auth as Extract<WebConfig['auth'], { mode: 'oidc' }>,
        (next) => live && setSession(next),
      );
      oidcRef.current = oidc;
      if (live) setChecking(false);
    });
    return () => {
      live = false;
    };
  }, [config.auth]);

  const signInLocal = useCallback(
    async (user: LocalUser) => {
      // A local-only route, outside the API's OpenAPI document, so a plain request.
      const request = fetch(`${config.apiUrl}/local/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user }),
      }).then(async (response) => ({
        response,
        ...(response.ok
          ? { data: (await response.json()) as Session }
          : { error: await response.json().catch(() => undefined) }),
      }));
      const answer = await call(request);
      const next: Session = { token: answer.token, sub: answer.sub, name: answer.name, scopes: answer.scopes };
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
      setSession(next);
    },
    [config.apiUrl],
  );

  const signInWithProvider = useCallback(async () => {
    await oidcRef.current?.signIn();
  }, []);

  const [signedOutBecause, setSignedOutBecause] = useState<'user' | 'expired' | null>(null);
  const signOut = useCallback((reason: 'user' | 'expired') => {
    sessionStorage.removeItem(SESSION_KEY);
    setSignedOutBecause(reason);
    setSession(null);
    void oidcRef.current?.signOut();
  }, []);

  const value = useMemo<AuthValue>(
    () => ({
      config,
      session,
      checking,
      client,
      isFinance: session?.scopes.includes(FINANCE_SCOPE) ?? false,
      signInLocal,
      signInWithProvider,
      signOut,
      signedOutBecause,
    }),
    [config, session, checking, client, signInLocal, signInWithProvider, signOut, signedOutBecause],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
