// Where the daily close publishes: the digest of each day and the leaves it was built from (so a
// proof can be given for any account without reading the table again). A port, with the local
// adapter here (`.data/digests/<day>.json` and `<day>.leaves.jsonl`, the close report `<day>.close.json`
// and `<day>.close.csv`) and S3 with Object Lock on AWS
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
  /** The day's close report (reconciliation, core/reconcile/report.ts) as stored, if stored. */
  closeReport(day: string, format: 'json' | 'csv'): Promise<string | undefined>;
  /**
   * Stores a day's close report beside its digest: the CSV, then the JSON, written once, which makes
   * it stored. False when a report of that day was stored already (that one is kept).
   */
  publishCloseReport(day: string, report: { json: string; csv: string }): Promise<boolean>;
  /** The days with a close report, newest first, at most `limit`. */
  closeReportDays(limit: number): Promise<string[]>;
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

export const publishedShape = z.strictObject({ digest: digestShape, digestHash: hash }) satisfies z.ZodType<
  PublishedDigest,
  unknown
>;

/**
 * The files of a store, whatever holds them: `<day>.json` (the digest) and `<day>.leaves.jsonl`
 * (its leaves, one JSON line each). The adapters say how a file is read, written and listed.
 */
export abstract class DigestFiles implements DigestStore {
  /** The file's text, or undefined when there is none. */
  protected abstract read(name: string): Promise<string | undefined>;
  /** Writes a file whole; `once`: refused if it exists (the digest, which publishes the day). */
  protected abstract write(name: string, text: string, once: boolean): Promise<void>;
  /** The names of every file. */
  protected abstract names(): Promise<string[]>;

  async digest(day: string): Promise<PublishedDigest | undefined> {
    const text = await this.read(`${day}.json`);
    return text === undefined ? undefined : publishedShape.parse(JSON.parse(text));
  }

  async leaves(day: string): Promise<Leaf[] | undefined> {
    const text = await this.read(`${day}.leaves.jsonl`);
    if (text === undefined) return undefined;
    return text.length === 0 ? [] : text.split('\n').map((line) => leafShape.parse(JSON.parse(line)));
  }

  async latestBefore(day?: string): Promise<string | undefined> {
    return (await this.days()).filter((d) => day === undefined || d < day).at(-1);
  }

  async all(): Promise<PublishedDigest[]> {
    const found: PublishedDigest[] = [];
    for (const day of await this.days()) {
      const published = await this.digest(day);
      if (published) found.push(published);
    }
    return found;
  }

  /** Leaves first: a crash between the two leaves the day unpublished, and the next run writes both. */
  async publish(published: PublishedDigest, leaves: readonly Leaf[]): Promise<void> {
    const { day } = published.digest;
    assert(DAY_PATTERN.test(day), `not a day: ${day}`);
    await this.write(`${day}.leaves.jsonl`, leaves.map((leaf) => JSON.stringify(leaf)).join('\n'), false);
    await this.write(`${day}.json`, `${JSON.stringify(published, null, 2)}\n`, true);
  }

  async closeReport(day: string, format: 'json' | 'csv'): Promise<string | undefined> {
    assert(DAY_PATTERN.test(day), `not a day: ${day}`);
    return this.read(`${day}.close.${format}`);
  }

  /** CSV first: a crash between the two leaves no report, and the next run writes both. */
  async publishCloseReport(day: string, report: { json: string; csv: string }): Promise<boolean> {
    assert(DAY_PATTERN.test(day), `not a day: ${day}`);
    if ((await this.closeReport(day, 'json')) !== undefined) return false;
    await this.write(`${day}.close.csv`, report.csv, false);
    try {
      await this.write(`${day}.close.json`, report.json, true);
    } catch (error) {
      // Another run stored it between the check and the write: keep theirs, as the digest does.
      if ((await this.closeReport(day, 'json')) !== undefined) return false;
      throw error;
    }
    return true;
  }

  async closeReportDays(limit: number): Promise<string[]> {
    return (await this.names())
      .filter((name) => name.endsWith('.close.json'))
      .map((name) => name.slice(0, -'.close.json'.length))
      .filter((day) => DAY_PATTERN.test(day))
      .sort()
      .reverse()
      .slice(0, limit);
  }

  private async days(): Promise<string[]> {
    return (await this.names())
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .filter((day) => DAY_PATTERN.test(day))
      .sort();
  }
}

/** A DigestStore in a folder: what `npm start` and the tests use. */
export class LocalDigestStore extends DigestFiles {
  constructor(readonly dir: string) {
    super();
  }

  protected async read(name: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, name), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Written whole or not at all: a crash leaves no half file under the final name. */
  protected async write(name: string, text: string, once: boolean): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, name);
    assert(!once || (await this.read(name)) === undefined, `${name} is already published`);
    await writeFile(`${path}.partial`, text);
    await rename(`${path}.partial`, path);
  }

  protected async names(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  return isRecord(error) && error.code === 'ENOENT';
}
