// The DynamoDB adapter: the only module of core/ that speaks to the AWS SDK. It takes an
// optional ready-made document client (tests and the local server pass one pointed at DynamoDB
// Local), asks every call for its consumed capacity and hands it to a meter, and turns a
// cancelled transaction into a TransactionCancelled error that says which item failed and why.

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type ConsumedCapacity,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  TransactionCanceledException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { assert } from '../assert.js';
import { type IndexShape, indexWriteUnits, itemSizeBytes, transactionalWriteUnits } from './item-size.js';
import type { Key } from './keys.js';
import { tableDefinition } from './schema.js';

export type Item = Record<string, unknown>;
type SdkTransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type NoTable<T> = Omit<NonNullable<T>, 'TableName'>;
/** One write of a transaction; the adapter fills in the table name. */
export type TransactItem =
  | { Put: NoTable<SdkTransactItem['Put']> }
  | { Update: NoTable<SdkTransactItem['Update']> }
  | { Delete: NoTable<SdkTransactItem['Delete']> }
  | { ConditionCheck: NoTable<SdkTransactItem['ConditionCheck']> };

/** DynamoDB's own limit on items in one TransactWriteItems. */
export const MAX_TRANSACT_ITEMS = 100;
/** Pages one pass over a sparse index may read (5,000 pages of 1,000 keys). */
export const MAX_DUE_PAGES = 5_000;
/** The most pages one logical read may fetch; every paging loop in core/ stops here. */
export const MAX_QUERY_PAGES = 1_000;

export interface CancellationReason {
  code: string;
  item?: Item;
}

/** A transaction DynamoDB refused as a whole; `reasons[i]` belongs to the i-th item. */
export class TransactionCancelled extends Error {
  override name = 'TransactionCancelled';
  constructor(readonly reasons: CancellationReason[]) {
    super(`transaction cancelled: ${reasons.map((r) => r.code).join(', ')}`);
  }
}

export interface CapacityReading {
  label: string;
  readUnits: number;
  /** Write units as DynamoDB reported them (Local: a transaction's summed item sizes rounded once). */
  writeUnits: number;
  /**
   * Write units AWS bills for the table's items, computed from each written item's size when
   * the meter audits writes: 2 per started KB per item in a transaction, 1 outside one.
   */
  billedWriteUnits: number;
  /** The part of billedWriteUnits that went to global secondary index entries. */
  billedIndexWriteUnits: number;
  calls: number;
}

/** The key of the item a transaction's write touches. */
export function keyOfWrite(item: TransactItem): Key {
  const body =
    'Put' in item
      ? item.Put.Item
      : 'Update' in item
        ? item.Update.Key
        : 'Delete' in item
          ? item.Delete.Key
          : item.ConditionCheck.Key;
  return { pk: String(body?.pk), sk: String(body?.sk) };
}

/** One item of an audited transaction: its sizes, and the units AWS bills for it and its index entries. */
export interface BilledItem {
  sk: string;
  beforeBytes: number;
  afterBytes: number;
  /** 2 per started KB of the larger size. */
  units: number;
  /** Its index entries added, removed or changed (item-size.ts indexWriteUnits). */
  indexUnits: number;
}

/** The table's global secondary indexes, as the audit of a transaction needs them. */
const INDEXES: IndexShape[] = (tableDefinition('audit').GlobalSecondaryIndexes ?? []).map((index) => ({
  pk: String(index.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName),
  sk: String(index.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName),
  projectsAll: index.Projection?.ProjectionType === 'ALL',
}));

/**
 * Adds up consumed capacity by label. The label is whatever operation is running
 * (`meter.run('charge', ...)`), so nested table calls are charged to the operation.
 */
export class CapacityMeter {
  private readonly storage = new AsyncLocalStorage<string>();
  private readonly readings = new Map<string, CapacityReading>();
  private lastItems: BilledItem[] = [];

  /** When true the table reads back each written item to compute its billed size (benchmarks only). */
  constructor(readonly auditWrites = false) {}

  run<T>(label: string, fn: () => Promise<T>): Promise<T> {
    return this.storage.run(label, fn);
  }

  /**
   * `singleItemWrite`: DynamoDB Local reports a single-item write's units as AWS bills them (index
   * writes included), so they count as billed too; a transaction's are computed (auditTransaction).
   */
  record(
    consumed: ConsumedCapacity[] | ConsumedCapacity | undefined,
    kind: 'read' | 'write',
    singleItemWrite = false,
  ): void {
    const label = this.storage.getStore() ?? 'unlabelled';
    const reading = this.reading(label);
    for (const c of [consumed ?? []].flat()) {
      // TOTAL gives only the call's total units; INDEXES (single-item writes) adds each index's.
      const units = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
      if (kind === 'read') reading.readUnits += units;
      else reading.writeUnits += units;
      if (kind === 'write' && singleItemWrite) {
        reading.billedWriteUnits += units;
        reading.billedIndexWriteUnits += Object.values(c.GlobalSecondaryIndexes ?? {}).reduce(
          (total, index) => total + (index.CapacityUnits ?? 0),
          0,
        );
      }
    }
    reading.calls += 1;
  }

  recordBilledWrites(items: BilledItem[]): void {
    const reading = this.reading(this.storage.getStore() ?? 'unlabelled');
    reading.billedWriteUnits += items.reduce((total, item) => total + item.units + item.indexUnits, 0);
    reading.billedIndexWriteUnits += items.reduce((total, item) => total + item.indexUnits, 0);
    this.lastItems = items;
  }

  /** The items of the last transaction audited, each with the units AWS bills for it (benchmarks). */
  lastTransaction(): BilledItem[] {
    return this.lastItems;
  }

  private reading(label: string): CapacityReading {
    let reading = this.readings.get(label);
    if (!reading) {
      reading = { label, readUnits: 0, writeUnits: 0, billedWriteUnits: 0, billedIndexWriteUnits: 0, calls: 0 };
      this.readings.set(label, reading);
    }
    return reading;
  }

  snapshot(): CapacityReading[] {
    return [...this.readings.values()].map((r) => ({ ...r }));
  }

  reset(): void {
    this.readings.clear();
  }
}

export interface TableOptions {
  tableName: string;
  /** A ready-made document client; otherwise one is built from `endpoint` and `region`. */
  client?: DynamoDBDocumentClient;
  endpoint?: string;
  region?: string;
  meter?: CapacityMeter;
}

export class LedgerTable {
  readonly name: string;
  readonly client: DynamoDBDocumentClient;
  readonly meter: CapacityMeter;

  constructor(options: TableOptions) {
    this.name = options.tableName;
    this.client = options.client ?? documentClient(options.endpoint, options.region);
    this.meter = options.meter ?? new CapacityMeter();
  }

  async get(key: Key): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.name, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.meter.record(out.ConsumedCapacity, 'read');
    return out.Item;
  }

  async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<{ items: Item[]; lastKey?: Item }> {
    const out = await this.client.send(
      new QueryCommand({ ...input, TableName: this.name, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.meter.record(out.ConsumedCapacity, 'read');
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }

  async delete(key: Key): Promise<void> {
    const out = await this.client.send(
      new DeleteCommand({ TableName: this.name, Key: key, ReturnConsumedCapacity: 'INDEXES' }),
    );
    this.meter.record(out.ConsumedCapacity, 'write', true);
  }

  /**
   * Pages through the keys a sparse index holds under each of `partitions` with a sort key at or
   * before `upTo` (what is due by then), in key order; `visit` gets each page and returns false to
   * stop. Never a scan. Bounded by MAX_DUE_PAGES in all.
   */
  async forEachDuePage(
    index: { name: string; pkAttribute: string; skAttribute: string },
    partitions: readonly string[],
    upTo: string,
    visit: (keys: Item[], partition: string) => Promise<boolean | void>,
    pageSize = 1_000,
  ): Promise<void> {
    let pages = 0;
    for (const partition of partitions) {
      let startKey: Item | undefined;
      do {
        assert(++pages <= MAX_DUE_PAGES, `more than ${MAX_DUE_PAGES} pages of ${index.name}`);
        const page = await this.query({
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
          ExpressionAttributeNames: { '#pk': index.pkAttribute, '#sk': index.skAttribute },
          ExpressionAttributeValues: { ':pk': partition, ':upTo': upTo },
          Limit: pageSize,
          ExclusiveStartKey: startKey,
        });
        if ((await visit(page.items, partition)) === false) return;
        startKey = page.lastKey;
      } while (startKey);
    }
  }

  /** A single-item update; a failed condition comes back as `false` rather than an error. */
  async update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    try {
      const out = await this.client.send(
        new UpdateCommand({ ...input, TableName: this.name, ReturnConsumedCapacity: 'INDEXES' }),
      );
      this.meter.record(out.ConsumedCapacity, 'write', true);
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** A single-item update that answers the item as it now stands; undefined when its condition failed. */
  async updateReturning(input: Omit<UpdateCommandInput, 'TableName'>): Promise<Item | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          ...input,
          TableName: this.name,
          ReturnValues: 'ALL_NEW',
          ReturnConsumedCapacity: 'INDEXES',
        }),
      );
      this.meter.record(out.ConsumedCapacity, 'write', true);
      return out.Attributes;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  /** A single-item put; a failed condition comes back as `false`. */
  async put(input: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
    try {
      const out = await this.client.send(
        new PutCommand({ ...input, TableName: this.name, ReturnConsumedCapacity: 'INDEXES' }),
      );
      this.meter.record(out.ConsumedCapacity, 'write', true);
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async transact(items: TransactItem[]): Promise<void> {
    assert(
      items.length > 0 && items.length <= MAX_TRANSACT_ITEMS,
      `a transaction holds 1..${MAX_TRANSACT_ITEMS} items, got ${items.length}`,
    );
    const withTable = items.map((item) => withTableName(item, this.name));
    const before = this.meter.auditWrites ? await this.beforeImages(items) : [];
    try {
      const out = await this.client.send(
        new TransactWriteCommand({ TransactItems: withTable, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.meter.record(out.ConsumedCapacity, 'write');
      if (this.meter.auditWrites) await this.auditTransaction(items, before);
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        // A cancelled transaction is billed too, but DynamoDB does not say how much.
        this.meter.record(undefined, 'write');
        throw new TransactionCancelled(
          (error.CancellationReasons ?? []).map((reason) => ({
            code: reason.Code ?? 'Unknown',
            item: reason.Item ? unmarshall(reason.Item) : undefined,
          })),
        );
      }
      throw error;
    }
  }

  /** The items a transaction touches, as they stand now (before it), for auditTransaction. */
  private async beforeImages(items: TransactItem[]): Promise<(Item | undefined)[]> {
    return Promise.all(
      items.map(async (item) => {
        const out = await this.client.send(
          new GetCommand({ TableName: this.name, Key: keyOfWrite(item), ConsistentRead: true }),
        );
        return out.Item;
      }),
    );
  }

  /**
   * Units AWS bills for a committed transaction: for each item, 2 per started KB of the larger of
   * its size before and after (a condition check, of its size; a delete, of what it removed).
   * DynamoDB Local reports less for several small items: it rounds their summed size once.
   */
  private async auditTransaction(items: TransactItem[], before: (Item | undefined)[]): Promise<void> {
    const billed: BilledItem[] = [];
    for (const [i, item] of items.entries()) {
      const old = before[i];
      let after: Item | undefined = old;
      if ('Put' in item) after = item.Put.Item as Item;
      else if ('Delete' in item) after = undefined;
      else if ('Update' in item) {
        const stored = await this.client.send(
          new GetCommand({ TableName: this.name, Key: item.Update.Key, ConsistentRead: true }),
        );
        after = stored.Item;
      }
      const beforeBytes = itemSizeBytes(old ?? {});
      const afterBytes = itemSizeBytes(after ?? {});
      billed.push({
        sk: keyOfWrite(item).sk,
        beforeBytes,
        afterBytes,
        units: transactionalWriteUnits(Math.max(beforeBytes, afterBytes)),
        indexUnits:
          'ConditionCheck' in item
            ? 0
            : INDEXES.reduce((total, index) => total + indexWriteUnits(index, old, after), 0),
      });
    }
    this.meter.recordBilledWrites(billed);
  }

  async createIfMissing(): Promise<void> {
    const raw = this.client;
    try {
      await raw.send(new CreateTableCommand(tableDefinition(this.name)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await this.waitUntilActive();
    // A table kept from an older version (npm start keeps .data/) gets the indexes it lacks.
    const wanted = tableDefinition(this.name);
    const described = await raw.send(new DescribeTableCommand({ TableName: this.name }));
    const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of wanted.GlobalSecondaryIndexes ?? []) {
      if (present.has(index.IndexName)) continue;
      const attributes = new Set(index.KeySchema?.map((key) => key.AttributeName));
      await raw.send(
        new UpdateTableCommand({
          TableName: this.name,
          AttributeDefinitions: wanted.AttributeDefinitions?.filter((a) => attributes.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [
            { Create: { IndexName: index.IndexName!, KeySchema: index.KeySchema!, Projection: index.Projection! } },
          ],
        }),
      );
      await this.waitUntilActive();
    }
  }

  private async waitUntilActive(): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const described = await this.client.send(new DescribeTableCommand({ TableName: this.name }));
      const indexesActive = (described.Table?.GlobalSecondaryIndexes ?? []).every(
        (index) => index.IndexStatus === 'ACTIVE',
      );
      if (described.Table?.TableStatus === 'ACTIVE' && indexesActive) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`table ${this.name} did not become active`);
  }
}

export function documentClient(
  endpoint?: string,
  region = process.env.AWS_REGION ?? 'us-east-1',
): DynamoDBDocumentClient {
  const local = endpoint !== undefined;
  const client = new DynamoDBClient({
    region,
    ...(local ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

function withTableName(item: TransactItem, tableName: string): SdkTransactItem {
  if ('Put' in item) return { Put: { ...item.Put, TableName: tableName } };
  if ('Update' in item) return { Update: { ...item.Update, TableName: tableName } };
  if ('Delete' in item) return { Delete: { ...item.Delete, TableName: tableName } };
  return { ConditionCheck: { ...item.ConditionCheck, TableName: tableName } };
}
