// Where the verifier reads the ledger from: the table itself (a Scan, page by page) or a DynamoDB
// export (its `data/*.json.gz` files of DynamoDB JSON lines, `{"Item": {...}}`), both into one
// Book. Only account items and ledger entries are kept; every other item is passed over.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { assert, isRecord } from '../assert.js';
import { accountOfPk, SK_PREFIX } from '../table/keys.js';
import type { Item, LedgerTable } from '../table/table.js';
import { Book } from './verify.js';

/** Pages of a Scan of the whole table (1 MB each): 10 TB at most. */
export const MAX_SCAN_PAGES = 10_000_000;
/** Files of an export, and lines of one file, read at most. */
export const MAX_EXPORT_FILES = 100_000;

const ACCOUNT_SK = SK_PREFIX.accountAndIntents;

/** Adds an item (as the document client reads it, numbers as numbers or strings) to the book. */
export function addItem(book: Book, item: Item): void {
  const { sk } = item;
  if (typeof sk !== 'string') return;
  if (sk === ACCOUNT_SK) {
    book.addHead(accountOfPk(item.pk), { headSeq: item.headSeq, headHash: item.headHash });
  } else if (sk.startsWith(SK_PREFIX.entry)) {
    book.addEntry(accountOfPk(item.pk), {
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
    });
  }
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

/** Reads a DynamoDB export (DynamoDB JSON, gzipped or not) from `dir` and every folder under it. */
export async function bookFromExport(dir: string): Promise<Book> {
  const book = new Book();
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.json(\.gz)?$/.test(f)).sort();
  assert(files.length <= MAX_EXPORT_FILES, `${files.length} export files are over the limit`);
  for (const file of files) {
    if (file.endsWith('manifest-summary.json') || file.endsWith('manifest-files.json')) continue;
    const raw = await readFile(join(dir, file));
    const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    // One parse of the whole file as an array: much faster than a parse per line.
    const lines = text.split('\n').filter((line) => line.length > 0);
    const parsed: unknown = JSON.parse(`[${lines.join(',')}]`);
    assert(Array.isArray(parsed), 'an export file is lines of items');
    for (const line of parsed) addItem(book, fromDynamoJson(line));
  }
  return book;
}

type AttributeValue = { S?: string; N?: string; BOOL?: boolean; NULL?: boolean };

/** One export line's top-level attributes: strings and numbers (as their text); the rest is not verified. */
function fromDynamoJson(parsed: unknown): Item {
  assert(isRecord(parsed) && isRecord(parsed.Item), 'an export line holds an Item');
  const item: Item = {};
  for (const [name, value] of Object.entries(parsed.Item as Record<string, AttributeValue>)) {
    if (value.S !== undefined) item[name] = value.S;
    else if (value.N !== undefined)
      item[name] = name === 'amount' || name === 'balanceAfter' ? value.N : Number(value.N);
  }
  return item;
}

/** Writes an item as a DynamoDB export does: one `{"Item": …}` line in DynamoDB JSON (tests, benchmarks). */
export function exportLine(item: Item): string {
  return JSON.stringify({ Item: marshall(item, { removeUndefinedValues: true }) });
}
