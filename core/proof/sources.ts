// Where the verifier reads the ledger from: the table itself (a Scan, page by page) here, or a
// DynamoDB export (export-reader.ts), both into one Book through records.ts.

import { ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { SK_PREFIX } from '../table/keys.js';
import type { Item, LedgerTable } from '../table/table.js';
import { addItem } from './records.js';
import { Book } from './verify.js';

/** Pages of a Scan of the whole table (1 MB each): 10 TB at most. */
export const MAX_SCAN_PAGES = 10_000_000;

const ACCOUNT_SK = SK_PREFIX.accountAndIntents;

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
