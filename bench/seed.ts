// Seeding a benchmark's table directly: BatchWriteItem, 25 items a call, unprocessed items retried.

import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Item, LedgerTable } from '../core/table/table.js';

/** Calls in flight at once while seeding. */
const SEED_CONCURRENCY = 8;

export async function batchWrite(table: LedgerTable, items: Item[]): Promise<void> {
  const chunks: Item[][] = [];
  for (let start = 0; start < items.length; start += 25) chunks.push(items.slice(start, start + 25));
  for (let at = 0; at < chunks.length; at += SEED_CONCURRENCY)
    await Promise.all(chunks.slice(at, at + SEED_CONCURRENCY).map((chunk) => writeChunk(table, chunk)));
}

async function writeChunk(table: LedgerTable, chunk: Item[]): Promise<void> {
  let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; attempt < 20 && requests.length > 0; attempt += 1) {
    const out = await table.client.send(new BatchWriteCommand({ RequestItems: { [table.name]: requests } }));
    requests = (out.UnprocessedItems?.[table.name] ?? []) as typeof requests;
    if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
  }
  if (requests.length > 0) throw new Error('seeding: items left unprocessed after 20 attempts');
}
