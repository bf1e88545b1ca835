// The verifier (SPEC §12): recomputes every account's chain from seq 1 and every digest from the
// chains, reading nothing but the stored items and the digests it checks, and names the first
// break of each: the (accountId, seq) where an entry was edited, deleted, inserted, moved or cut
// off, and each digest whose hash, `prev` link, root, sums or account count do not match.
//
//   items (table scan or export, any order) ─► Book: heads and entries by account
//        └─► each chain in key order: seq = 1, 2, … · prevHash = the hash before · hash recomputed
//            · createdAt never decreasing · the account's head names the last entry
//        └─► each digest in day order: its leaves again from the chains, the root, the sums, `prev`

import { preimageOf } from './chain.js';
import { creditOf, type Digest, digestHash, entryHash, GENESIS_HASH, type Leaf } from './hashes.js';
import { leafNode, rootOf } from './merkle.js';

/** An entry's place in its chain as stored, unchecked. */
interface StoredLink {
  sk: string;
  seq: unknown;
  prevHash: unknown;
  hash: unknown;
  balanceAfter: bigint;
  createdAt: string;
}

/**
 * An entry as stored: with the fields its hash covers, or with `ownHashHolds` already computed
 * where it was read (export-reader.ts's workers): whether `hash` is the hash of the entry under its
 * own `seq` and `prevHash`. The walk hashes an entry only once its seq and prevHash are the ones
 * expected, so the two give the same verdict.
 */
export type StoredEntry = StoredLink &
  (
    | { ownHashHolds?: undefined; transactionId: string; type: string; amount: bigint; reference: string }
    | { ownHashHolds: boolean }
  );

export interface StoredHead {
  headSeq: unknown;
  headHash: unknown;
}

/** A digest as published: the digest and the hash it was published under. */
export interface PublishedDigest {
  digest: Digest;
  digestHash: string;
}

export interface ChainBreak {
  accountId: string;
  seq: number;
  reason: string;
}

export interface DigestBreak {
  day: string;
  reason: string;
}

export interface Verdict {
  accounts: number;
  entries: number;
  digests: number;
  /** The first break of each broken account, by account id. */
  chainBreaks: ChainBreak[];
  digestBreaks: DigestBreak[];
}

/** Every account's head and entries, gathered from items that come in any order. */
export class Book {
  readonly heads = new Map<string, StoredHead>();
  readonly entries = new Map<string, StoredEntry[]>();
  entryCount = 0;

  addHead(accountId: string, head: StoredHead): void {
    this.heads.set(accountId, head);
  }

  addEntry(accountId: string, entry: StoredEntry): void {
    let list = this.entries.get(accountId);
    if (!list) {
      list = [];
      this.entries.set(accountId, list);
    }
    list.push(entry);
    this.entryCount += 1;
  }

  /** Account ids with an account item or an entry, sorted. */
  accountIds(): string[] {
    return [...new Set([...this.heads.keys(), ...this.entries.keys()])].sort();
  }

  /** An account's entries in key order: commit order. */
  chainOf(accountId: string): StoredEntry[] {
    const list = this.entries.get(accountId) ?? [];
    list.sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    return list;
  }
}

export function verify(book: Book, digests: readonly PublishedDigest[]): Verdict {
  const chainBreaks: ChainBreak[] = [];
  for (const accountId of book.accountIds()) {
    const broken = firstBreak(accountId, book.chainOf(accountId), book.heads.get(accountId));
    if (broken) chainBreaks.push(broken);
  }
  return {
    accounts: book.accountIds().length,
    entries: book.entryCount,
    digests: digests.length,
    chainBreaks,
    digestBreaks: verifyDigests(book, digests),
  };
}

/** The first place an account's chain breaks, walking it from seq 1; null when it holds. */
export function firstBreak(accountId: string, chain: readonly StoredEntry[], head?: StoredHead): ChainBreak | null {
  let prevHash = GENESIS_HASH;
  let prevCreatedAt = '';
  // A plain loop and no closure per entry: this runs once for every entry of the ledger.
  for (let index = 0; index < chain.length; index += 1) {
    const entry = chain[index]!;
    const seq = index + 1;
    if (entry.seq === undefined && entry.hash === undefined)
      return { accountId, seq, reason: `entry ${entry.sk} is not chained` };
    if (entry.seq !== seq) return seqBreak(accountId, seq, entry);
    if (entry.prevHash !== prevHash)
      return { accountId, seq, reason: `prevHash does not name the hash of entry ${seq - 1}` };
    if (entry.createdAt < prevCreatedAt)
      return { accountId, seq, reason: `createdAt ${entry.createdAt} is before entry ${seq - 1}'s` };
    // seq and prevHash are the expected ones here, so the entry's own preimage is the one to hash.
    const holds =
      entry.ownHashHolds === undefined
        ? entry.hash === entryHash(preimageOf(accountId, seq, prevHash, entry))
        : entry.ownHashHolds;
    if (!holds || typeof entry.hash !== 'string')
      return { accountId, seq, reason: 'hash does not match the entry (edited)' };
    prevHash = entry.hash;
    prevCreatedAt = entry.createdAt;
  }
  return headBreak(accountId, chain.length, prevHash, head);
}

/** An entry out of its place: one is missing before it, or it repeats (inserted) or moved. */
function seqBreak(accountId: string, seq: number, entry: StoredEntry): ChainBreak {
  if (typeof entry.seq !== 'number' || !Number.isSafeInteger(entry.seq) || entry.seq < 1)
    return { accountId, seq, reason: `${entry.sk} has no valid seq where entry ${seq} belongs` };
  if (entry.seq > seq) return { accountId, seq, reason: `entry ${seq} is missing: ${entry.sk} is entry ${entry.seq}` };
  return { accountId, seq: entry.seq, reason: `two entries claim seq ${entry.seq} (one inserted or moved)` };
}

function headBreak(accountId: string, length: number, lastHash: string, head?: StoredHead): ChainBreak | null {
  if (!head || (head.headSeq === undefined && head.headHash === undefined)) {
    return length === 0 ? null : { accountId, seq: length, reason: 'the account item holds no head' };
  }
  if (typeof head.headSeq === 'number' && head.headSeq > length)
    return { accountId, seq: length + 1, reason: `entries ${length + 1} to ${head.headSeq} are missing (truncated)` };
  if (typeof head.headSeq === 'number' && head.headSeq < length)
    return { accountId, seq: head.headSeq + 1, reason: `entries after the head (${head.headSeq}) were inserted` };
  if (head.headSeq !== length || head.headHash !== lastHash)
    return {
      accountId,
      seq: length,
      reason: `the account's head (${String(head.headSeq)}) does not name entry ${length}`,
    };
  return null;
}

/** Each digest against its predecessor and against the leaves the chains give at its cut-off. */
function verifyDigests(book: Book, digests: readonly PublishedDigest[]): DigestBreak[] {
  const breaks: DigestBreak[] = [];
  let prev = GENESIS_HASH;
  for (const published of [...digests].sort((a, b) => (a.digest.day < b.digest.day ? -1 : 1))) {
    const { digest } = published;
    const broken = (reason: string) => breaks.push({ day: digest.day, reason });
    if (digestHash(digest) !== published.digestHash) broken('digestHash does not match the digest');
    if (digest.prev !== prev) broken('prev does not name the previous digest');
    const leaves = leavesAt(book, digest.cutoff);
    const root = rootOf(leaves.map(leafNode));
    if (digest.accounts !== leaves.length) broken(`${digest.accounts} accounts, the ledger has ${leaves.length}`);
    if (digest.creditMicros !== String(root.creditMicros)) broken('creditMicros is not the sum of the leaves');
    if (digest.root !== root.hash) broken('root does not match the ledger');
    prev = published.digestHash;
  }
  return breaks;
}

/** The leaves at a cut-off: each account's last entry before it, by account id (SPEC §12). */
export function leavesAt(book: Book, cutoff: string): Leaf[] {
  const leaves: Leaf[] = [];
  for (const accountId of book.accountIds()) {
    const chain = book.chainOf(accountId);
    const last = lastBefore(chain, cutoff);
    if (last === undefined) continue;
    const entry = chain[last]!;
    leaves.push(leafOf(accountId, last + 1, typeof entry.hash === 'string' ? entry.hash : '', entry.balanceAfter));
  }
  return leaves;
}

export function leafOf(accountId: string, headSeq: number, headHash: string, balanceMicros: bigint): Leaf {
  return {
    accountId,
    headSeq,
    headHash,
    balanceMicros: String(balanceMicros),
    creditMicros: String(creditOf(balanceMicros)),
  };
}

/** The index of the last entry created before `cutoff` (entries never go back in time), or undefined. */
function lastBefore(chain: readonly StoredEntry[], cutoff: string): number | undefined {
  let low = 0;
  let high = chain.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (chain[mid]!.createdAt < cutoff) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? undefined : low - 1;
}
