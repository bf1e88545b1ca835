// The app's runtime settings, read from /config.json: written at deploy time on AWS (the API's
// URL and the OpenID Connect issuer, client and audience the API trusts), served by `npm start`
// locally (the API on the same origin, the local sign-in page).

export type AuthConfig =
  | { mode: 'local' }
  | { mode: 'oidc'; issuer: string; clientId: string; audience: string; scope?: string };

export interface WebConfig {
  /** The API's base URL; '' when it is on the app's own origin. */
  apiUrl: string;
  auth: AuthConfig;
}

export async function loadConfig(): Promise<WebConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`the app's settings (/config.json) answered ${response.status}`);
  return (await response.json()) as WebConfig;
}
