// Where the daily close publishes: the digest of each day and the leaves it was built from (so a
// proof can be given for any account without reading the table again). A port, with the local
// adapter here (`.data/digests/<day>.json` and `<day>.leaves.jsonl`) and S3 with Object Lock on AWS
// (s3-store.ts). A digest is written once and never replaced: writing a day that exists is refused,
// so a close run twice or after a crash publishes the digest it already published.

import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { assert, isRecord } from '../assert.js';
import type { Digest, Leaf } from '../proof/hashes.js';
import type { PublishedDigest } from '../proof/verify.js';

export interface DigestStore {
  /** The digest of `day`, if published. */
  digest(day: string): Promise<PublishedDigest | undefined>;
  /** The leaves of `day`'s digest, sorted by account id. */
  leaves(day: string): Promise<Leaf[] | undefined>;
  /** The latest day published before `day` (all when absent). */
  latestBefore(day?: string): Promise<string | undefined>;
  /** Every published digest, by day. */
  all(): Promise<PublishedDigest[]>;
  /** Publishes a day: its leaves first, then the digest, which makes it published. */
  publish(published: PublishedDigest, leaves: readonly Leaf[]): Promise<void>;
}

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const hash = z.string().regex(/^[0-9a-f]{64}$/);
const microsText = z.string().regex(/^-?\d+$/);

// A digest and its leaves read back are checked before anything is built on them.
export const leafShape = z.strictObject({
  accountId: z.string(),
  headSeq: z.number().int().min(1),
  headHash: hash,
  balanceMicros: microsText,
  creditMicros: microsText,
}) satisfies z.ZodType<Leaf, unknown>;

export const digestShape = z.strictObject({
  day: z.string().regex(DAY_PATTERN),
  cutoff: z.string(),
  accounts: z.number().int().min(0),
  root: hash,
  creditMicros: microsText,
  prev: hash,
}) satisfies z.ZodType<Digest, unknown>;

const publishedShape = z.strictObject({ digest: digestShape, digestHash: hash }) satisfies z.ZodType<
  PublishedDigest,
  unknown
>;

/** A DigestStore in a folder: what `npm start` and the tests use. */
export class LocalDigestStore implements DigestStore {
  constructor(readonly dir: string) {}

  async digest(day: string): Promise<PublishedDigest | undefined> {
    const text = await readIfThere(join(this.dir, `${day}.json`));
    return text === undefined ? undefined : publishedShape.parse(JSON.parse(text));
  }

  async leaves(day: string): Promise<Leaf[] | undefined> {
    const text = await readIfThere(join(this.dir, `${day}.leaves.jsonl`));
    if (text === undefined) return undefined;
    return text.length === 0 ? [] : text.split('\n').map((line) => leafShape.parse(JSON.parse(line)));
  }

  async latestBefore(day?: string): Promise<string | undefined> {
    const days = (await this.days()).filter((d) => day === undefined || d < day);
    return days.at(-1);
  }

  async all(): Promise<PublishedDigest[]> {
    const found: PublishedDigest[] = [];
    for (const day of await this.days()) {
      const published = await this.digest(day);
      if (published) found.push(published);
    }
    return found;
  }

  async publish(published: PublishedDigest, leaves: readonly Leaf[]): Promise<void> {
    const { day } = published.digest;
    assert(DAY_PATTERN.test(day), `not a day: ${day}`);
    await mkdir(this.dir, { recursive: true });
    assert((await this.digest(day)) === undefined, `the digest of ${day} is already published`);
    await writeWhole(join(this.dir, `${day}.leaves.jsonl`), leaves.map((leaf) => JSON.stringify(leaf)).join('\n'));
    await writeWhole(join(this.dir, `${day}.json`), `${JSON.stringify(published, null, 2)}\n`);
  }

  private async days(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return names
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .filter((day) => DAY_PATTERN.test(day))
      .sort();
  }
}

function isMissing(error: unknown): boolean {
  return isRecord(error) && error.code === 'ENOENT';
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Written whole or not at all: a crash leaves no half file under the final name. */
async function writeWhole(path: string, text: string): Promise<void> {
  const partial = `${path}.partial`;
  await writeFile(partial, text);
  await rename(partial, path);
}
