// The hashes of SPEC §12, to the byte, so that anyone can recompute them without this code:
//
//   entry  = hex(SHA-256("io-credits:entry:v1\n"  + JCS({accountId, seq, prevHash, transactionId, type,
//                                                          amountMicros, balanceAfterMicros, createdAt, reference})))
//   leaf   = hex(SHA-256("io-credits:leaf:v1\n"   + JCS({accountId, headSeq, headHash, balanceMicros, creditMicros})))
//   node   = hex(SHA-256("io-credits:node:v1\n"   + JCS({left, right, creditMicros})))
//   digest = hex(SHA-256("io-credits:digest:v1\n" + JCS({day, cutoff, accounts, root, creditMicros, prev})))
//
// Amounts are integer micro-credits as decimal strings; `seq`, `headSeq` and `accounts` are JSON
// integers. The domain prefixes keep an entry's hash from ever being taken for a leaf or a node.

import { hash } from 'node:crypto';
import { assert } from '../assert.js';
import { type Canonical, canonicalJson } from './canonical.js';

/** `prevHash` of an account's first entry, and `prev` of the first digest. */
export const GENESIS_HASH = '0'.repeat(64);

const HEX_HASH = /^[0-9a-f]{64}$/;

export function isHash(value: unknown): value is string {
  return typeof value === 'string' && HEX_HASH.test(value);
}

/** What an entry's hash covers (SPEC §12). */
export interface EntryPreimage {
  accountId: string;
  seq: number;
  prevHash: string;
  transactionId: string;
  type: string;
  amountMicros: string;
  balanceAfterMicros: string;
  createdAt: string;
  reference: string;
}

/** One account's leaf of a day's tree: its head before the cut-off and the balance it left. */
export interface Leaf {
  accountId: string;
  headSeq: number;
  headHash: string;
  balanceMicros: string;
  creditMicros: string;
}

export interface Digest {
  day: string;
  cutoff: string;
  accounts: number;
  root: string;
  creditMicros: string;
  prev: string;
}

export function entryHash(entry: EntryPreimage): string {
  assert(Number.isSafeInteger(entry.seq) && entry.seq >= 1, `entry seq ${entry.seq} is not a positive integer`);
  // One-shot hashing: no Hash object per entry (the verifier hashes every entry of the ledger).
  return hash('sha256', `io-credits:entry:v1\n${entryJcs(entry)}`, 'hex');
}

/**
 * canonicalJson of an entry's preimage, written out with its keys already in RFC 8785's order: the
 * verifier hashes every entry of the ledger, and this is most of its time (a test holds the two equal).
 */
export function entryJcs(e: EntryPreimage): string {
  const q = JSON.stringify;
  return (
    `{"accountId":${q(e.accountId)},"amountMicros":${q(e.amountMicros)},` +
    `"balanceAfterMicros":${q(e.balanceAfterMicros)},"createdAt":${q(e.createdAt)},"prevHash":${q(e.prevHash)},` +
    `"reference":${q(e.reference)},"seq":${e.seq},"transactionId":${q(e.transactionId)},"type":${q(e.type)}}`
  );
}

export function leafHash(leaf: Leaf): string {
  return hashOf('leaf', { ...leaf });
}

export function nodeHash(node: { left: string; right: string; creditMicros: string }): string {
  return hashOf('node', { ...node });
}

export function digestHash(digest: Digest): string {
  return hashOf('digest', { ...digest });
}

/** `creditMicros` of a balance: what the ledger owes the account, never below zero. */
export function creditOf(balanceMicros: bigint): bigint {
  return balanceMicros > 0n ? balanceMicros : 0n;
}

function hashOf(kind: 'entry' | 'leaf' | 'node' | 'digest', value: Canonical): string {
  return hash('sha256', `io-credits:${kind}:v1\n${canonicalJson(value)}`, 'hex');
}
