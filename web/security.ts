// The security headers the Usage & Billing app is served with, in one place: CloudFront's response
// headers policy (infra/web.ts) and the local server (functions/local/web-files.ts) both build
// them here. The content security policy admits only the app's own files and the API on the same
// origin, plus the identity provider the app signs in with.

export interface CspOptions {
  /** Origins of the OpenID Connect provider: its token endpoint is fetched and its silent-renew page framed. */
  identityOrigins: readonly string[];
}

export function contentSecurityPolicy({ identityOrigins }: CspOptions): string {
  const identity = identityOrigins.join(' ');
  const directives: [string, string][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self' data:"],
    ['font-src', "'self'"],
    ['connect-src', `'self' ${identity}`.trim()],
    ['frame-src', identity || "'none'"],
    ['frame-ancestors', "'none'"],
    ['form-action', "'self'"],
    ['base-uri', "'self'"],
    ['object-src', "'none'"],
  ];
  return directives.map(([name, value]) => `${name} ${value}`).join('; ');
}

/** Headers besides the CSP, as CloudFront's security-headers policy sets them too. */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
} as const;

/** Paths of the app itself (client-side routes): each is answered with index.html. */
export const APP_ROUTES = [
  '/',
  '/checkout',
  '/settings',
  '/finance',
  '/finance/accounts',
  '/finance/audit',
  '/sign-in',
  '/callback',
] as const;
