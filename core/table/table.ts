// The DynamoDB adapter: the only module of core/ that speaks to the AWS SDK. It takes an
// optional ready-made document client (tests and the local server pass one pointed at DynamoDB
// Local), asks every call for its consumed capacity and hands it to a meter (meter.ts), and turns
// a cancelled transaction into a TransactionCancelled error that says which item failed and why.

import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
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
import type { Key } from './keys.js';
import { CapacityMeter, type TouchedItem } from './meter.js';

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
    this.meter.record(out.ConsumedCapacity, 'read', { itemsRead: 1 });
    return out.Item;
  }

  async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<{ items: Item[]; lastKey?: Item }> {
    const out = await this.client.send(
      new QueryCommand({ ...input, TableName: this.name, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.meter.record(out.ConsumedCapacity, 'read', { itemsRead: out.ScannedCount ?? 0 });
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }

  async delete(key: Key): Promise<void> {
    const out = await this.client.send(
      new DeleteCommand({ TableName: this.name, Key: key, ReturnConsumedCapacity: 'INDEXES' }),
    );
    this.meter.record(out.ConsumedCapacity, 'write', { singleItemWrite: true });
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
      this.meter.record(out.ConsumedCapacity, 'write', { singleItemWrite: true });
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
      this.meter.record(out.ConsumedCapacity, 'write', { singleItemWrite: true });
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
      this.meter.record(out.ConsumedCapacity, 'write', { singleItemWrite: true });
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

  /** Hands the meter the items a committed transaction touched, before (read first) and after it. */
  private async auditTransaction(items: TransactItem[], before: (Item | undefined)[]): Promise<void> {
    const touched: TouchedItem[] = [];
    for (const [i, item] of items.entries()) {
      const old = before[i];
      let after: Item | undefined = old;
      if ('Put' in item) after = item.Put.Item;
      else if ('Delete' in item) after = undefined;
      else if ('Update' in item) {
        const stored = await this.client.send(
          new GetCommand({ TableName: this.name, Key: item.Update.Key, ConsistentRead: true }),
        );
        after = stored.Item;
      }
      touched.push({ sk: keyOfWrite(item).sk, conditionCheck: 'ConditionCheck' in item, before: old, after });
    }
    this.meter.recordTransaction(touched);
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
