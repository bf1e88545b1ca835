// The Usage & Billing app on the local server: the built files of web/ at `/`, index.html for the
// app's own routes, and `/config.json`, the runtime settings CloudFront serves from S3 on AWS
// (here: sign in with the local users, the API on this same origin). Never deployed.

import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { APP_ROUTES, contentSecurityPolicy, SECURITY_HEADERS } from '../../web/security.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface WebFile {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What the app's settings are locally: the API is this server, sign-in is the local page. */
export const LOCAL_WEB_CONFIG = { apiUrl: '', auth: { mode: 'local' } } as const;

const headers = (type: string, cache: string): Record<string, string> => ({
  'content-type': type,
  'cache-control': cache,
  'content-security-policy': contentSecurityPolicy({ identityOrigins: [] }),
  ...SECURITY_HEADERS,
});

/** The app file for a GET of `path`, or undefined when the path is not the app's. */
export async function webFile(root: string, path: string): Promise<WebFile | undefined> {
  if (path === '/config.json')
    return {
      status: 200,
      headers: headers(TYPES['.json']!, 'no-store'),
      body: Buffer.from(JSON.stringify(LOCAL_WEB_CONFIG)),
    };
  if ((APP_ROUTES as readonly string[]).includes(path)) return file(root, 'index.html', 'no-cache');
  if (!path.startsWith('/assets/') && path !== '/favicon.svg') return undefined;
  const relative = normalize(path.slice(1));
  if (relative.startsWith('..') || relative.includes(`${sep}..`)) return undefined;
  // Built asset names carry a content hash, so they never change.
  return file(root, relative, path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
}

async function file(root: string, relative: string, cache: string): Promise<WebFile | undefined> {
  const full = join(root, relative);
  try {
    if (!(await stat(full)).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return {
    status: 200,
    headers: headers(TYPES[extname(full)] ?? 'application/octet-stream', cache),
    body: await readFile(full),
  };
}
