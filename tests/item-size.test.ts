// The billed-size calculator used by the benchmark agrees with DynamoDB Local, which reports
// correct units for a plain PutItem (1 WCU per started KB) though not for transactions.

import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { LedgerTable } from '../core/index.js';
import { itemSizeBytes } from '../core/table/item-size.js';

describe('item size', () => {
  it('matches the write units DynamoDB Local bills for items around the 1 KB boundary', async () => {
    const table = new LedgerTable({ tableName: `size-${randomUUID()}`, endpoint: inject('dynamoEndpoint') });
    await table.createIfMissing();
    const base = {
      pk: 'ACCT#x',
      sk: 'ACCOUNT',
      version: 12,
      lots: [['lot_01JABCDEFGHJKMNPQRSTVWXYZ0', 'p', 25_000_000, 12_500_000, 1_800_000_000_000]],
      flag: true,
    };
    for (const padding of [0, 700, 880, 900, 920, 1500, 2100]) {
      const item = { ...base, pad: 'x'.repeat(padding) };
      const size = itemSizeBytes(item);
      const out = await table.client.send(
        new PutCommand({ TableName: table.name, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
      );
      const reported = out.ConsumedCapacity?.CapacityUnits;
      const nearBoundary = size % 1024 < 8 || size % 1024 > 1016; // number encoding may differ by a byte or two
      if (!nearBoundary) expect(reported, `item of ${size} computed bytes`).toBe(Math.ceil(size / 1024));
    }
  });
});
