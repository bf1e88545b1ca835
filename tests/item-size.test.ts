// The billed-size calculator used by the benchmark agrees with DynamoDB Local, which reports
// correct units for a plain PutItem (1 WCU per started KB) though not for transactions (it rounds
// their items' summed size once, where AWS bills each item).

import { randomUUID } from 'node:crypto';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { LedgerTable } from '../core/index.js';
import { billedItems } from '../core/table/audit.js';
import { createTableIfMissing } from '../core/table/create.js';
import { indexWriteUnits, itemSizeBytes } from '../core/table/item-size.js';
import { CapacityMeter } from '../core/table/meter.js';

describe('item size', () => {
  it('matches the write units DynamoDB Local bills for items around the 1 KB boundary', async () => {
    const table = new LedgerTable({ tableName: `size-${randomUUID()}`, endpoint: inject('dynamoEndpoint') });
    await createTableIfMissing(table);
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

  it('DynamoDB Local reports a transaction by the summed size of its items, plus its index writes', async () => {
    // What the benchmark's "Local says" column is, and why it differs from the units AWS bills:
    // AWS bills 2 units per started KB of each item (the larger of before and after); Local rounds
    // the items' summed size once, so a transaction of several small items reports 2.
    const table = new LedgerTable({ tableName: `size-${randomUUID()}`, endpoint: inject('dynamoEndpoint') });
    await createTableIfMissing(table);
    const put = (sk: string, extra: Record<string, unknown> = {}) => ({
      Put: { TableName: table.name, Item: { pk: 'ACCT#x', sk, ...extra } },
    });
    const reported = async (items: object[]) =>
      (
        await table.client.send(
          new TransactWriteCommand({ TransactItems: items as never, ReturnConsumedCapacity: 'INDEXES' }),
        )
      ).ConsumedCapacity?.[0];
    expect((await reported([put('a'), put('b'), put('c'), put('d')]))?.CapacityUnits).toBe(2); // AWS: 8
    expect((await reported([put('e', { pad: 'x'.repeat(3000) }), put('f')]))?.CapacityUnits).toBe(8); // AWS: 8
    const indexed = await reported([put('g', { gsi3pk: 'Q', gsi3sk: '1' }), put('h')]);
    expect(indexed?.GlobalSecondaryIndexes?.gsi3?.CapacityUnits).toBe(2);
  });

  it('computes index writes as DynamoDB Local reports them for single-item writes', async () => {
    const table = new LedgerTable({ tableName: `size-${randomUUID()}`, endpoint: inject('dynamoEndpoint') });
    await createTableIfMissing(table);
    const gsi3 = { pk: 'gsi3pk', sk: 'gsi3sk', projectsAll: false };
    const gsi1 = { pk: 'gsi1pk', sk: 'gsi1sk', projectsAll: true };
    let stored: Record<string, unknown> | undefined;
    const put = async (item: Record<string, unknown>) => {
      const out = await table.client.send(
        new PutCommand({ TableName: table.name, Item: item, ReturnConsumedCapacity: 'INDEXES' }),
      );
      const computed = {
        gsi3: indexWriteUnits(gsi3, stored, item),
        gsi1: indexWriteUnits(gsi1, stored, item),
      };
      stored = item;
      return {
        reported: {
          gsi3: out.ConsumedCapacity?.GlobalSecondaryIndexes?.gsi3?.CapacityUnits ?? 0,
          gsi1: out.ConsumedCapacity?.GlobalSecondaryIndexes?.gsi1?.CapacityUnits ?? 0,
        },
        computed,
      };
    };
    const key = { pk: 'ACCT#idx', sk: 'CHARGE#c' };
    const steps = [
      await put({ ...key, status: 'paid' }), // in no index
      await put({ ...key, status: 'paid', gsi3pk: 'OUTBOX#1', gsi3sk: 'a' }), // added
      await put({ ...key, status: 'paid', gsi3pk: 'OUTBOX#1', gsi3sk: 'b' }), // moved: out and in
      await put({ ...key, status: 'refunded', gsi3pk: 'OUTBOX#1', gsi3sk: 'b' }), // keys only: unchanged
      await put({ ...key, status: 'refunded' }), // removed
      await put({ ...key, gsi1pk: 'WDSTATUS#p', gsi1sk: '1', pad: 'x'.repeat(1500) }), // whole item, 2 KB
      await put({ ...key, gsi1pk: 'WDSTATUS#p', gsi1sk: '1', pad: 'y'.repeat(1500) }), // changed in place
    ];
    for (const step of steps) expect(step.computed).toEqual(step.reported);
    expect(steps.map((step) => step.computed.gsi3 + step.computed.gsi1)).toEqual([0, 1, 2, 0, 1, 2, 2]);
  });

  it('an audited transaction is billed item by item: the larger size before or after, and index writes', async () => {
    const meter = new CapacityMeter(billedItems);
    const table = new LedgerTable({ tableName: `size-${randomUUID()}`, endpoint: inject('dynamoEndpoint'), meter });
    await createTableIfMissing(table);
    const pk = 'ACCT#audit';
    await table.put({ Item: { pk, sk: 'big', note: 'x'.repeat(3_000) } });
    await meter.run('audited', () =>
      table.transact([
        { Put: { Item: { pk, sk: 'new', gsi3pk: 'QUEUE#1', gsi3sk: '1' } } }, // 2 units, an index entry added
        { Update: { Key: { pk, sk: 'big' }, UpdateExpression: 'REMOVE note' } }, // 3 KB before: 6 units
        { ConditionCheck: { Key: { pk, sk: 'none' }, ConditionExpression: 'attribute_not_exists(pk)' } }, // 2 units
      ]),
    );
    expect(meter.lastTransaction().map((item) => [item.sk, item.units, item.indexUnits])).toEqual([
      ['new', 2, 1],
      ['big', 6, 0],
      ['none', 2, 0],
    ]);
    expect(meter.snapshot().find((reading) => reading.label === 'audited')).toMatchObject({
      billedWriteUnits: 11,
      billedIndexWriteUnits: 1,
      calls: 1,
    });
  });
});
