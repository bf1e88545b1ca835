// Where the daily digests are published (SPEC §12): S3 with Object Lock (DIGEST_BUCKET) on AWS, or a
// folder (DIGEST_DIR) locally. Only what reads or publishes digests builds the store (the balance
// routes, the daily close, the local server), so the other functions' bundles carry neither adapter.

import { S3DigestStore } from '../../core/close/s3-store.js';
import { type DigestStore, LocalDigestStore } from '../../core/close/store.js';
import type { Runtime } from './runtime.js';

/** The store the deployment (or the local server) names, if any. */
export function digestStoreFromEnv(env: NodeJS.ProcessEnv): DigestStore | undefined {
  if (env.DIGEST_BUCKET) return new S3DigestStore(env.DIGEST_BUCKET);
  if (env.DIGEST_DIR) return new LocalDigestStore(env.DIGEST_DIR);
  return undefined;
}

/** The runtime's digest store: the one it was given, or else built once from the environment. */
export function digestsOf(runtime: Runtime, env: NodeJS.ProcessEnv = process.env): DigestStore | undefined {
  if (!runtime.digests) {
    const store = digestStoreFromEnv(env);
    if (store) runtime.digests = store;
  }
  return runtime.digests;
}
