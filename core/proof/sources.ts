// Where the verifier reads the ledger from: the table itself (a Scan, page by page) here, or a
// DynamoDB export (export-reader.ts), both into one Book through recordOf. Only account items and
// ledger entries are kept; every other item is passed over.

import { ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { accountOfPk, SK_PREFIX } from '../table/keys.js';
import type { Item, LedgerTable } from '../table/table.js';
import { Book, type StoredEntry, type StoredHead } from './verify.js';

/** Pages of a Scan of the whole table (1 MB each): 10 TB at most. */
export const MAX_SCAN_PAGES = 10_000_000;

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

export async function bookFromTable(table: LedgerTable): Promise<Book> {
  const book = new Book();
  await forEachScanPage(
    table,
    {
      FilterExpression: 'sk = :account OR begins_with(sk, :entry)',
      ExpressionAttributeValues: { ':account': ACCOUNT_SK, ':entry': SK_PREFIX.entry },
      ConsistentRead: true,
    },
    async (items) => {
      for (const item of items) addItem(book, item);
    },
  );
  return book;
}

/**
 * Scans the whole table, page by page (1 MB each), handing `visit` each page's items: for the jobs
 * that must see every account once (the verifier, the migration, a ledger's first close).
 */
export async function forEachScanPage(
  table: LedgerTable,
  input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  visit: (items: Item[]) => Promise<void>,
): Promise<void> {
  let startKey: Item | undefined;
  for (let page = 1; page <= MAX_SCAN_PAGES; page += 1) {
    const out = await table.client.send(
      new ScanCommand({ ...input, TableName: table.name, ExclusiveStartKey: startKey }),
    );
    await visit(out.Items ?? []);
    startKey = out.LastEvaluatedKey;
    if (!startKey) return;
  }
  throw new Error(`the table has more than ${MAX_SCAN_PAGES} pages`);
}

/** Writes an item as a DynamoDB export does: one `{"Item": …}` line in DynamoDB JSON (tests, benchmarks). */
export function exportLine(item: Item): string {
  return JSON.stringify({ Item: marshall(item, { removeUndefinedValues: true }) });
}
