// The client library's proof check, written from SPEC §12's formulas alone, against the proofs the
// server publishes after a real close: every account's proof leads to the published root and total.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDigestStore } from '../core/close/store.js';
import { DAY_MS } from '../core/index.js';
import { type Digest, digestHash, GENESIS_HASH, type Leaf, leafHash, nodeHash } from '../core/proof/hashes.js';
import { proofs } from '../sdk/src/index.js';
import { type Api, startApi } from './support/api.js';
import { c, T0 } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
  api.runtime.digests = new LocalDigestStore(await mkdtemp(join(tmpdir(), 'sdk-digests-')));
});
afterAll(() => api.server.close());

describe("the library checks the server's proofs", () => {
  it('accepts every account’s proof of a closed day, and the balance in it is the account’s', async () => {
    const accounts = { 'proof-a': '40', 'proof-b': '12.5', 'proof-c': '0.000001', 'proof-d': '7', 'proof-e': '100' };
    for (const [accountId, credits] of Object.entries(accounts)) await buyCredits(api.ledger, accountId, c(credits));
    api.clock.set(T0 + DAY_MS);
    const admin = await api.token('finance', 'credits:admin');
    const day = new Date(T0).toISOString().slice(0, 10);
    const closed = await api.call('POST', '/admin/jobs/close', { token: admin, body: { day } });
    expect(closed.status, closed.text).toBe(200);

    let total = 0n;
    for (const [accountId, credits] of Object.entries(accounts)) {
      const proof = await api.call('GET', `/credits/proof?day=${day}`, { token: await api.token(accountId) });
      expect(proof.status, proof.text).toBe(200);
      const result = await proofs.verify(proof.body);
      expect(result).toMatchObject({ valid: true, day, accountId, balanceMicros: BigInt(c(credits)) });
      if (result.valid) total = result.totalCreditMicros;
      // The same proof with another balance is refused.
      const more = String(BigInt(c(credits)) + 1n);
      const forged = { ...proof.body, leaf: { ...proof.body.leaf, balanceMicros: more, creditMicros: more } };
      expect((await proofs.verify(forged)).valid).toBe(false);
    }
    const sum = Object.values(accounts).reduce((s, credits) => s + BigInt(c(credits)), 0n);
    // Other tests' accounts on this server may be in the tree too; ours are in its total.
    expect(total >= sum).toBe(true);
  });

  it('refuses a tree that hides credit behind a sibling of negative credit', async () => {
    // A server that owes this user 10.00 and another 5.00 publishes a total of 5.00: its own leaf
    // of -5.00 beside the user's. Every hash and sum adds up; only the negative credit gives it away.
    const leaf: Leaf = {
      accountId: 'proof-honest',
      headSeq: 1,
      headHash: 'a'.repeat(64),
      balanceMicros: '10000000',
      creditMicros: '10000000',
    };
    const sibling = { side: 'right' as const, hash: 'b'.repeat(64), creditMicros: '-5000000' };
    const root = nodeHash({ left: leafHash(leaf), right: sibling.hash, creditMicros: '5000000' });
    const digest: Digest = {
      day: '2026-12-01',
      cutoff: '2026-12-02T00:00:00.000Z',
      accounts: 2,
      root,
      creditMicros: '5000000',
      prev: GENESIS_HASH,
    };
    const forged = { digest: { ...digest }, digestHash: digestHash(digest), leaf: { ...leaf }, path: [sibling] };
    expect(await proofs.verify(forged)).toMatchObject({ valid: false, check: 'shape' });
    // The same tree with the sibling's true credit is accepted: the refusal is about the sign alone.
    const honestSibling = { ...sibling, creditMicros: '5000000' };
    const honestRoot = nodeHash({ left: leafHash(leaf), right: sibling.hash, creditMicros: '15000000' });
    const honest: Digest = { ...digest, root: honestRoot, creditMicros: '15000000' };
    const accepted = await proofs.verify({
      digest: { ...honest },
      digestHash: digestHash(honest),
      leaf: { ...leaf },
      path: [honestSibling],
    });
    expect(accepted).toMatchObject({ valid: true, totalCreditMicros: 15_000_000n });
  });
});
