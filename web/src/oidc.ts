// OpenID Connect sign-in for the deployed app: authorization code with PKCE (oidc-client-ts), the
// user's tokens kept in memory only, renewed silently before they expire. Loaded on demand, so the
// local app does not carry it.

import { InMemoryWebStorage, type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { claimsOf, type Session } from './session';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  audience: string;
  scope?: string;
}

export async function startOidc(settings: OidcSettings, onSession: (session: Session | null) => void) {
  const origin = window.location.origin;
  const manager = new UserManager({
    authority: settings.issuer,
    client_id: settings.clientId,
    redirect_uri: `${origin}/callback`,
    silent_redirect_uri: `${origin}/callback`,
    post_logout_redirect_uri: `${origin}/sign-in`,
    response_type: 'code',
    scope: settings.scope ?? 'openid profile',
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    extraQueryParams: { audience: settings.audience },
  });
  const sessionOf = (user: User | null): Session | null => {
    if (!user || user.expired) return null;
    const claims = claimsOf(user.access_token);
    return {
      token: user.access_token,
      sub: claims.sub,
      name: (user.profile.name as string | undefined) ?? claims.sub,
      scopes: claims.scopes,
    };
  };
  manager.events.addUserLoaded((user) => onSession(sessionOf(user)));
  manager.events.addUserUnloaded(() => onSession(null));

  if (window.location.pathname === '/callback') {
    if (window.parent !== window) {
      await manager.signinSilentCallback();
    } else {
      const user = await manager.signinRedirectCallback();
      const back = typeof user.state === 'string' ? user.state : '/';
      window.history.replaceState(null, '', back);
      onSession(sessionOf(user));
    }
  } else {
    // Tokens live in memory, so a new page load signs in again without a prompt while the identity provider's
    // session lasts.
    onSession(sessionOf(await manager.signinSilent().catch(() => null)));
  }
  return {
    signIn: () => manager.signinRedirect({ state: window.location.pathname + window.location.search }),
    signOut: () => manager.removeUser(),
  };
}
