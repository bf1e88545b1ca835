// A user's proof (SPEC §12): the published digest of a day, the account's leaf in it, and the
// audit path from that leaf to the root, enough to recompute the root, and so to check that the
// account's history and balance are counted in the published total, without trusting us.

import { NotFound } from '../errors.js';
import type { Leaf } from '../proof/hashes.js';
import { leafNode, type PathStep, pathOf } from '../proof/merkle.js';
import type { PublishedDigest } from '../proof/verify.js';
import type { DigestStore } from './store.js';

export interface AccountProof extends PublishedDigest {
  leaf: Leaf;
  path: PathStep[];
}

/** The digest of `day`, or of the latest day closed. */
export async function publishedDigest(store: DigestStore, day?: string): Promise<PublishedDigest> {
  const found = day ?? (await store.latestBefore());
  const published = found === undefined ? undefined : await store.digest(found);
  if (!published) throw new NotFound(day ? `no digest is published for ${day}` : 'no day has been closed yet');
  return published;
}

/** The account's proof in the digest of `day` (the latest when absent). */
export async function proofFor(store: DigestStore, accountId: string, day?: string): Promise<AccountProof> {
  const published = await publishedDigest(store, day);
  const leaves = await store.leaves(published.digest.day);
  const index = leaves?.findIndex((leaf) => leaf.accountId === accountId) ?? -1;
  if (!leaves || index === -1)
    throw new NotFound(`account ${accountId} had no entry before the cut-off of ${published.digest.day}`);
  return { ...published, leaf: leaves[index]!, path: pathOf(leaves.map(leafNode), index) };
}
