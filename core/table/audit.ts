// What AWS bills for a committed transaction, item by item, for the benchmarks (a meter given this
// reads back every item a transaction writes: CapacityMeter's `audit`). Kept apart from the meter so
// no Lambda function carries the item-size rules or the table's schema.

import { type IndexShape, indexWriteUnits, itemSizeBytes, transactionalWriteUnits } from './item-size.js';
import type { BilledItem, TouchedItem } from './meter.js';
import { tableDefinition } from './schema.js';

/** The table's global secondary indexes, as the audit of a transaction needs them. */
const INDEXES: IndexShape[] = (tableDefinition('audit').GlobalSecondaryIndexes ?? []).map((index) => ({
  pk: String(index.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName),
  sk: String(index.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName),
  projectsAll: index.Projection?.ProjectionType === 'ALL',
}));

/**
 * Units AWS bills for a committed transaction: for each item, 2 per started KB of the larger of
 * its size before and after (a condition check, of its size; a delete, of what it removed), and
 * its index entries' writes (none for a condition check).
 */
export function billedItems(touched: TouchedItem[]): BilledItem[] {
  return touched.map(({ sk, conditionCheck, before, after }) => {
    const beforeBytes = itemSizeBytes(before ?? {});
    const afterBytes = itemSizeBytes(after ?? {});
    return {
      sk,
      beforeBytes,
      afterBytes,
      units: transactionalWriteUnits(Math.max(beforeBytes, afterBytes)),
      indexUnits: conditionCheck
        ? 0
        : INDEXES.reduce((total, index) => total + indexWriteUnits(index, before, after), 0),
    };
  });
}
