// An account's hash chain (SPEC §12): each entry names the one before it, so an entry edited,
// deleted, inserted or moved breaks every hash after it, and the account item's head names the
// last one, so a truncated history shows too. The engine links each entry as it writes it
// (ledger/draft.ts), in commit order; the migration (ledger-migrate.ts) links the history written
// before the chain began; the verifier (verify.ts) walks it again.

import { type EntryPreimage, entryHash, GENESIS_HASH } from './hashes.js';

export interface ChainLink {
  seq: number;
  prevHash: string;
  hash: string;
}

/** An entry as the ledger stores it, with what its hash covers. */
export interface ChainedFields {
  transactionId: string;
  type: string;
  /** Integer micro-credits: a number as the ledger holds them, a bigint as the verifier reads them. */
  amount: number | bigint;
  balanceAfter: number | bigint;
  createdAt: string;
  reference: string;
}

/**
 * The link of an account's next entry after `head`, or null when its history is not chained yet
 * (entries written before the chain began: the migration links them, and the ones written
 * meanwhile, first).
 */
export function nextLink(
  accountId: string,
  head: { entryCount: number; headHash: string | null },
  entry: ChainedFields,
): ChainLink | null {
  const prevHash = head.entryCount === 0 ? GENESIS_HASH : head.headHash;
  if (prevHash === null) return null;
  return linkOf(accountId, head.entryCount + 1, prevHash, entry);
}

export function linkOf(accountId: string, seq: number, prevHash: string, entry: ChainedFields): ChainLink {
  return { seq, prevHash, hash: entryHash(preimageOf(accountId, seq, prevHash, entry)) };
}

export function preimageOf(accountId: string, seq: number, prevHash: string, entry: ChainedFields): EntryPreimage {
  return {
    accountId,
    seq,
    prevHash,
    transactionId: entry.transactionId,
    type: entry.type,
    amountMicros: String(entry.amount),
    balanceAfterMicros: String(entry.balanceAfter),
    createdAt: entry.createdAt,
    reference: entry.reference,
  };
}
