// The daily close (SPEC §12): a Merkle sum tree over every account's head at midnight, its digest
// chained to the day before and published once; each account's proof leads to the published root;
// the verifier recomputes every digest from the entries and names any that was forged.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDays } from '../core/close/close.js';
import { proofFor } from '../core/close/proof.js';
import { LocalDigestStore } from '../core/close/store.js';
import { DAY_MS } from '../core/index.js';
import { digestHash, GENESIS_HASH, type Leaf } from '../core/proof/hashes.js';
import { leafNode, rootFromPath } from '../core/proof/merkle.js';
import { bookFromTable } from '../core/proof/sources.js';
import { type PublishedDigest, verify } from '../core/proof/verify.js';
import { c, deploy, newLedger, T0 } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

const { ledger, clock, table } = await newLedger();
const dir = await mkdtemp(join(tmpdir(), 'digests-'));
const store = new LocalDigestStore(dir);
const close = (day: string) => closeDays({ table, store, nowMs: clock.nowMs() }, day);
const DAY1 = '2026-01-31';

async function verifyAll() {
  return verify(await bookFromTable(table), await store.all());
}

describe('the daily close', () => {
  it('refuses a day that is not over', async () => {
    await expect(close(DAY1)).rejects.toThrow(/not over yet/);
  });

  it('closes the first day over every account, and the total is what the ledger owes its users', async () => {
    await buyCredits(ledger, 'close-a', c('40'));
    await buyCredits(ledger, 'close-b', c('10'));
    await deploy(ledger, 'close-b', '15'); // -5: owes, counts as no credit
    await buyCredits(ledger, 'close-c', c('7'));
    clock.set(T0 + DAY_MS);
    await deploy(ledger, 'close-a', '1'); // after the cut-off: not in day 1

    const [closed] = await close(DAY1);
    expect(closed!.new).toBe(true);
    expect(closed!.published.digest).toMatchObject({
      day: DAY1,
      cutoff: '2026-02-01T00:00:00.000Z',
      accounts: 3,
      creditMicros: String(c('47')),
      prev: GENESIS_HASH,
    });
    const leaves = (await store.leaves(DAY1))!;
    expect(leaves.find((l) => l.accountId === 'close-b')).toMatchObject({
      balanceMicros: String(c('-5')),
      creditMicros: '0',
    });
    expect(await verifyAll()).toMatchObject({ chainBreaks: [], digestBreaks: [] });
  });

  it('reads again only the accounts that changed, and chains the digest to the day before', async () => {
    await deploy(ledger, 'close-c', '2');
    clock.set(T0 + 2 * DAY_MS);
    const [closed] = await close('2026-02-01');
    expect(closed!.accountsRead).toBe(2); // close-a and close-c, not close-b
    const day1 = (await store.digest(DAY1))!;
    expect(closed!.published.digest).toMatchObject({ accounts: 3, creditMicros: String(c('44')) });
    expect(closed!.published.digest.prev).toBe(day1.digestHash);
    expect(await verifyAll()).toMatchObject({ chainBreaks: [], digestBreaks: [] });
  });

  it('run again, it answers the digest it published; days missed are closed first, in order', async () => {
    await expect(close('2026-01-30')).rejects.toThrow(/before the first close/);
    const again = await close('2026-02-01');
    expect(again).toEqual([expect.objectContaining({ new: false, accountsRead: 0 })]);
    expect(again[0]!.published).toEqual(await store.digest('2026-02-01'));

    clock.set(T0 + 4 * DAY_MS);
    const caughtUp = await close('2026-02-03');
    expect(caughtUp.map((d) => d.published.digest.day)).toEqual(['2026-02-02', '2026-02-03']);
    expect(caughtUp[1]!.published.digest.prev).toBe(caughtUp[0]!.published.digestHash);
  });

  it('killed after writing the leaves and before the digest, run again, it publishes the same digest', async () => {
    await deploy(ledger, 'close-a', '3');
    clock.set(T0 + 5 * DAY_MS);
    const crashing = new (class extends LocalDigestStore {
      override async publish(published: PublishedDigest, leaves: readonly Leaf[]): Promise<void> {
        await writeFile(
          join(this.dir, `${published.digest.day}.leaves.jsonl`),
          leaves.map((l) => JSON.stringify(l)).join('\n'),
        );
        throw new Error('killed');
      }
    })(dir);
    await expect(closeDays({ table, store: crashing, nowMs: clock.nowMs() }, '2026-02-04')).rejects.toThrow('killed');
    expect(await store.digest('2026-02-04')).toBeUndefined();
    const [closed] = await close('2026-02-04');

    // The same ledger closed into an empty store from the same day before gives the same bytes.
    const other = new LocalDigestStore(await mkdtemp(join(tmpdir(), 'digests-again-')));
    const before = (await store.digest('2026-02-03'))!;
    await other.publish(before, (await store.leaves('2026-02-03'))!);
    const [twin] = await closeDays({ table, store: other, nowMs: clock.nowMs() }, '2026-02-04');
    expect(twin!.published).toEqual(closed!.published);
  });

  it('gives each account a proof whose path leads from its leaf to the published root and total', async () => {
    for (const accountId of ['close-a', 'close-b', 'close-c']) {
      const proof = await proofFor(store, accountId);
      expect(proof.digest.day).toBe('2026-02-04');
      expect(proof.leaf.accountId).toBe(accountId);
      const root = rootFromPath(leafNode(proof.leaf), proof.path);
      expect({ hash: root.hash, credit: String(root.creditMicros) }).toEqual({
        hash: proof.digest.root,
        credit: proof.digest.creditMicros,
      });
      expect(digestHash(proof.digest)).toBe(proof.digestHash);
    }
    await expect(proofFor(store, 'never-used')).rejects.toThrow(/no entry before the cut-off/);
  });

  it('the verifier names a forged digest: its total raised, its hash recomputed to match', async () => {
    const path = join(dir, '2026-02-01.json');
    const published = JSON.parse(await readFile(path, 'utf8')) as PublishedDigest;
    const forged = { ...published.digest, creditMicros: String(BigInt(published.digest.creditMicros) + 1_000_000n) };
    await writeFile(path, JSON.stringify({ digest: forged, digestHash: digestHash(forged) }));
    const { digestBreaks } = await verifyAll();
    expect(digestBreaks).toEqual([
      { day: '2026-02-01', reason: 'creditMicros is not the sum of the leaves' },
      { day: '2026-02-02', reason: 'prev does not name the previous digest' },
    ]);
  });
});
