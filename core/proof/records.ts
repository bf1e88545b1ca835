// What the verifier keeps of the items it reads, from the table or an export: each account's head
// (its account item's headSeq and headHash) and its ledger entries; every other item is passed
// over. No AWS SDK here: the export's worker threads load this alone.

import { accountOfPk, SK_PREFIX } from '../table/keys.js';
import type { Item } from '../table/table.js';
import type { Book, StoredEntry, StoredHead } from './verify.js';

const ACCOUNT_SK = SK_PREFIX.accountAndIntents;

/** What the verifier keeps of an item: an account's head, one of its entries, or nothing. */
export type VerifiedRecord =
  | { kind: 'head'; accountId: string; head: StoredHead }
  | { kind: 'entry'; accountId: string; entry: StoredEntry }
  | undefined;

/** The attributes recordOf reads: all an export line is scanned for. */
export const VERIFIED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'pk',
  'sk',
  'headSeq',
  'headHash',
  'seq',
  'prevHash',
  'hash',
  'transactionId',
  'type',
  'amount',
  'balanceAfter',
  'createdAt',
  'reference',
]);

/** Adds an item (as the document client reads it, numbers as numbers or strings) to the book. */
export function addItem(book: Book, item: Item): void {
  const record = recordOf(item);
  if (record?.kind === 'head') book.addHead(record.accountId, record.head);
  else if (record?.kind === 'entry') book.addEntry(record.accountId, record.entry);
}

export function recordOf(item: Item): VerifiedRecord {
  const { sk } = item;
  if (typeof sk !== 'string') return undefined;
  if (sk === ACCOUNT_SK)
    return { kind: 'head', accountId: accountOfPk(item.pk), head: { headSeq: item.headSeq, headHash: item.headHash } };
  if (!sk.startsWith(SK_PREFIX.entry)) return undefined;
  return {
    kind: 'entry',
    accountId: accountOfPk(item.pk),
    entry: {
      sk,
      seq: item.seq,
      prevHash: item.prevHash,
      hash: item.hash,
      transactionId: String(item.transactionId),
      type: String(item.type),
      amount: integerOf(item.amount),
      balanceAfter: integerOf(item.balanceAfter),
      createdAt: String(item.createdAt),
      reference: String(item.reference),
    },
  };
}

/** An amount as stored (a number) or exported (its decimal text); anything else reads as 0 and breaks the hash. */
function integerOf(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return 0n;
}
