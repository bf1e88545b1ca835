// The digest store's two adapters pass the same tests: a folder (npm start) and S3 under Object
// Lock (checked with the SDK mocked, no AWS account): a day's digest and leaves read back as
// published, a day is published once, and the latest day before another is found.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { S3DigestStore } from '../core/close/s3-store.js';
import { type DigestStore, LocalDigestStore } from '../core/close/store.js';
import { type Digest, digestHash, GENESIS_HASH, type Leaf } from '../core/proof/hashes.js';

/** An S3 bucket in memory behind the real client, honouring If-None-Match as S3 does. */
function mockedBucket(): { store: S3DigestStore; puts: PutObjectCommand['input'][] } {
  const objects = new Map<string, string>();
  const puts: PutObjectCommand['input'][] = [];
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(client);
  mock.on(PutObjectCommand).callsFake((input: PutObjectCommand['input']) => {
    puts.push(input);
    if (input.IfNoneMatch === '*' && objects.has(input.Key!))
      throw new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
      });
    objects.set(input.Key!, String(input.Body));
    return {};
  });
  mock.on(GetObjectCommand).callsFake((input: GetObjectCommand['input']) => {
    const body = objects.get(input.Key!);
    if (body === undefined) throw new NoSuchKey({ message: 'no such key', $metadata: {} });
    return { Body: sdkStreamMixin(Readable.from([Buffer.from(body)])) };
  });
  mock.on(ListObjectsV2Command).callsFake((input: ListObjectsV2Command['input']) => ({
    Contents: [...objects.keys()].filter((key) => key.startsWith(input.Prefix ?? '')).map((Key) => ({ Key })),
  }));
  return { store: new S3DigestStore('digests-bucket', client), puts };
}

const leaves: Leaf[] = [
  { accountId: 'a', headSeq: 3, headHash: 'a'.repeat(64), balanceMicros: '5000000', creditMicros: '5000000' },
  { accountId: 'b', headSeq: 1, headHash: 'b'.repeat(64), balanceMicros: '-2000000', creditMicros: '0' },
];

function published(day: string) {
  const digest: Digest = {
    day,
    cutoff: `${day}T23:59:59.999Z`,
    accounts: 2,
    root: 'c'.repeat(64),
    creditMicros: '5000000',
    prev: GENESIS_HASH,
  };
  return { digest, digestHash: digestHash(digest) };
}

const adapters: [string, () => DigestStore][] = [
  ['a folder', () => new LocalDigestStore(mkdtempSync(join(tmpdir(), 'store-')))],
  ['S3 under Object Lock', () => mockedBucket().store],
];

describe.each(adapters)('the digest store in %s', (_name, make) => {
  it('reads back a published day, its leaves, and the latest day before another', async () => {
    const store = make();
    expect(await store.latestBefore()).toBeUndefined();
    await store.publish(published('2026-03-01'), leaves);
    await store.publish(published('2026-03-02'), []);
    expect(await store.digest('2026-03-01')).toEqual(published('2026-03-01'));
    expect(await store.leaves('2026-03-01')).toEqual(leaves);
    expect(await store.leaves('2026-03-02')).toEqual([]);
    expect(await store.digest('2026-03-03')).toBeUndefined();
    expect(await store.latestBefore()).toBe('2026-03-02');
    expect(await store.latestBefore('2026-03-02')).toBe('2026-03-01');
    expect((await store.all()).map((p) => p.digest.day)).toEqual(['2026-03-01', '2026-03-02']);
  });

  it('publishes a day once: a second digest for it is refused', async () => {
    const store = make();
    await store.publish(published('2026-03-01'), leaves);
    await expect(store.publish(published('2026-03-01'), leaves)).rejects.toThrow();
    expect(await store.digest('2026-03-01')).toEqual(published('2026-03-01'));
  });
});

describe.each(adapters)('the close report in %s', (_name, make) => {
  it('is stored once beside the digest, JSON and CSV; a second one keeps the first; its days are listed', async () => {
    const store = make();
    await store.publish(published('2026-03-01'), leaves);
    expect(await store.closeReport('2026-03-01', 'json')).toBeUndefined();
    expect(await store.publishCloseReport('2026-03-01', { json: '{"first":true}\n', csv: 'a,b\r\n' })).toBe(true);
    expect(await store.publishCloseReport('2026-03-01', { json: '{"second":true}\n', csv: 'c,d\r\n' })).toBe(false);
    expect(await store.closeReport('2026-03-01', 'json')).toBe('{"first":true}\n');
    expect(await store.closeReport('2026-03-01', 'csv')).toBe('a,b\r\n');
    await store.publishCloseReport('2026-03-02', { json: '{}', csv: '' });
    expect(await store.closeReportDays(10)).toEqual(['2026-03-02', '2026-03-01']);
    expect(await store.closeReportDays(1)).toEqual(['2026-03-02']);
    // A report is not a digest: the days published are still the digests'.
    expect((await store.all()).map((p) => p.digest.day)).toEqual(['2026-03-01']);
  });
});

it('writes the close report to S3 beside the digest: the CSV, then the JSON only if none is there', async () => {
  const { store, puts } = mockedBucket();
  await store.publishCloseReport('2026-03-01', { json: '{}', csv: 'x' });
  expect(puts.map((p) => [p.Key, p.ContentType, p.ChecksumAlgorithm, p.IfNoneMatch])).toEqual([
    ['digests/2026-03-01.close.csv', 'text/csv', 'SHA256', undefined],
    ['digests/2026-03-01.close.json', 'application/json', 'SHA256', '*'],
  ]);
});

it('writes to S3 with a checksum (Object Lock needs one) and the digest only if none is there', async () => {
  const { store, puts } = mockedBucket();
  await store.publish(published('2026-03-01'), leaves);
  expect(puts.map((p) => [p.Key, p.ChecksumAlgorithm, p.IfNoneMatch])).toEqual([
    ['digests/2026-03-01.leaves.jsonl', 'SHA256', undefined],
    ['digests/2026-03-01.json', 'SHA256', '*'],
  ]);
});
