// The digests on AWS: an S3 bucket with Object Lock in compliance mode (7 years, infra/digests.ts),
// so nobody, root included, can change or delete a published day before then. `digests/<day>.json`
// and `digests/<day>.leaves.jsonl`, and the close report (`<day>.close.json`, `<day>.close.csv`),
// written with If-None-Match so a day is never written twice: a second close of the same day finds
// the digest and answers it (close.ts). The S3 client is loaded on first use, so functions that are
// handed the store but never read it do not load it.

import type { S3Client } from '@aws-sdk/client-s3';
import { DigestFiles } from './store.js';

const PREFIX = 'digests/';
/** Pages of the bucket's listing (1,000 keys each): far beyond 7 years of days. */
const MAX_LIST_PAGES = 100;

type S3 = typeof import('@aws-sdk/client-s3');

export class S3DigestStore extends DigestFiles {
  private loaded: Promise<{ sdk: S3; client: S3Client }> | undefined;

  constructor(
    readonly bucket: string,
    private readonly client?: S3Client,
  ) {
    super();
  }

  private s3(): Promise<{ sdk: S3; client: S3Client }> {
    this.loaded ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: this.client ?? new sdk.S3Client({}),
    }));
    return this.loaded;
  }

  protected async read(name: string): Promise<string | undefined> {
    const { sdk, client } = await this.s3();
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: `${PREFIX}${name}` }));
      return await out.Body?.transformToString('utf8');
    } catch (error) {
      if (error instanceof sdk.NoSuchKey) return undefined;
      throw error;
    }
  }

  protected async write(name: string, body: string, once: boolean): Promise<void> {
    const key = `${PREFIX}${name}`;
    const { sdk, client } = await this.s3();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentTypeOf(key),
        // Object Lock needs a checksum on every write.
        ChecksumAlgorithm: 'SHA256',
        ...(once ? { IfNoneMatch: '*' } : {}),
      }),
    );
  }

  protected async names(): Promise<string[]> {
    const { sdk, client } = await this.s3();
    const names: string[] = [];
    let token: string | undefined;
    for (let page = 1; page <= MAX_LIST_PAGES; page += 1) {
      const out = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: PREFIX, ContinuationToken: token }),
      );
      for (const { Key } of out.Contents ?? []) if (Key) names.push(Key.slice(PREFIX.length));
      token = out.NextContinuationToken;
      if (!token) return names;
    }
    throw new Error(`more than ${MAX_LIST_PAGES} pages of digests`);
  }
}

function contentTypeOf(key: string): string {
  if (key.endsWith('.json')) return 'application/json';
  if (key.endsWith('.csv')) return 'text/csv';
  return 'application/jsonl';
}
