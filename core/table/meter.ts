// The capacity meter: what each operation consumed of the table, by label. The adapter
// (table.ts) hands it what every call reported; DynamoDB Local reports a transaction's write units
// as its summed item sizes rounded once, not as AWS bills them, so when a benchmark asks for an
// audit the adapter also hands it the items a committed transaction touched, before and after,
// and the meter computes the billed units item by item (item-size.ts). Kept apart from the
// adapter: no I/O here, only arithmetic on what the adapter read.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

export interface CapacityReading {
  label: string;
  readUnits: number;
  /** Items read: one per get, the items a query examined (its ScannedCount, filtered out or not). */
  itemsRead: number;
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

type StoredItem = Record<string, unknown>;

/** One item a committed transaction touched: as it stood before and after, and whether it was only checked. */
export interface TouchedItem {
  sk: string;
  conditionCheck: boolean;
  before: StoredItem | undefined;
  after: StoredItem | undefined;
}

/**
 * Adds up consumed capacity by label. The label is whatever operation is running
 * (`meter.run('charge', ...)`), so nested table calls are charged to the operation.
 */
export class CapacityMeter {
  private readonly storage = new AsyncLocalStorage<string>();
  private readonly readings = new Map<string, CapacityReading>();
  private lastItems: BilledItem[] = [];

  /**
   * Given, the table reads back each item a transaction writes and this computes the units AWS bills
   * for them (table/audit.ts; benchmarks only, so no Lambda function carries it).
   */
  constructor(readonly audit?: (touched: TouchedItem[]) => BilledItem[]) {}

  get auditWrites(): boolean {
    return this.audit !== undefined;
  }

  run<T>(label: string, fn: () => Promise<T>): Promise<T> {
    return this.storage.run(label, fn);
  }

  /**
   * `singleItemWrite`: DynamoDB Local reports a single-item write's units as AWS bills them (index
   * writes included), so they count as billed too; a transaction's are computed (recordTransaction).
   */
  record(
    consumed: ConsumedCapacity[] | ConsumedCapacity | undefined,
    kind: 'read' | 'write',
    options: { singleItemWrite?: boolean; itemsRead?: number } = {},
  ): void {
    const { singleItemWrite = false, itemsRead = 0 } = options;
    const label = this.storage.getStore() ?? 'unlabelled';
    const reading = this.reading(label);
    reading.itemsRead += itemsRead;
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

  /** The billed units of an audited transaction, from the items it touched. */
  recordTransaction(touched: TouchedItem[]): void {
    if (!this.audit) return;
    const items = this.audit(touched);
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
      reading = {
        label,
        readUnits: 0,
        itemsRead: 0,
        writeUnits: 0,
        billedWriteUnits: 0,
        billedIndexWriteUnits: 0,
        calls: 0,
      };
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
