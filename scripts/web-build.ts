// Builds the Usage & Billing app (web/) with Vite when its sources changed since the last build:
// a digest of every source file is kept beside the build (web/dist/.source-digest), so `npm start`
// rebuilds only when it must. `npm run build:web` forces a build.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WEB_DIST = join(ROOT, 'web', 'dist');
const DIGEST_FILE = join(WEB_DIST, '.source-digest');
/** What the app is built from: its own files and the shared modules it imports. */
const SOURCES = [
  'web/src',
  'web/public',
  'web/index.html',
  'web/vite.config.ts',
  'core/destination.ts',
  'core/time.ts',
  'core/assert.ts',
  'core/ledger/types.ts',
  'package-lock.json',
];

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) => files(relative(ROOT, join(full, entry.name))));
}

export function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap(files).sort())
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** Builds when the sources changed (or `force`); says what it did. */
export async function buildWeb(
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<'built' | 'fresh'> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const digest = sourceDigest();
  if (!options.force && existsSync(DIGEST_FILE) && readFileSync(DIGEST_FILE, 'utf8') === digest) return 'fresh';
  log('building the Usage & Billing app (web/ changed since the last build)…');
  const started = performance.now();
  const { build } = await import('vite');
  // Always React's production build: Vite keeps a NODE_ENV already set (the test runner sets it to
  // `test`), and a development build is larger and slower.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(ROOT, 'web', 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(DIGEST_FILE, digest);
  log(`built web/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb({ force: process.argv.includes('--force') });
}
