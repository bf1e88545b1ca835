// DynamoDB's item size, by the rules AWS bills by: attribute names count in UTF-8 bytes; a
// string is its UTF-8 bytes; a number about one byte per two significant digits plus one; a
// boolean or null one byte; a list or map 3 bytes plus one per element plus its contents.
// Used to compute billed capacity where DynamoDB Local does not report it (transactions).

import { isRecord } from '../assert.js';

export function itemSizeBytes(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (Array.isArray(value)) return 3 + value.reduce((total: number, v) => total + 1 + valueSize(v), 0);
  if (value instanceof Uint8Array) return value.byteLength;
  if (isRecord(value)) {
    return (
      3 +
      Object.entries(value).reduce(
        (total, [k, v]) => (v === undefined ? total : total + 1 + Buffer.byteLength(k, 'utf8') + valueSize(v)),
        0,
      )
    );
  }
  return 0;
}

/** Write units a transaction is billed per item: 2 per started kilobyte. */
export function transactionalWriteUnits(sizeBytes: number): number {
  return 2 * Math.max(1, Math.ceil(sizeBytes / 1024));
}

/** What one global secondary index keeps of an item: its key attributes, and whether it copies the rest. */
export interface IndexShape {
  pk: string;
  sk: string;
  projectsAll: boolean;
}

/** The table's primary key attributes, which every index entry also holds. */
const TABLE_KEYS = ['pk', 'sk'];

/**
 * Write units an item's change costs in one index, by AWS's rule for index updates: an entry
 * added or removed is one write, an index key that changes value is two (the old entry deleted,
 * the new one put), an entry whose projected attributes change is one; each write 1 unit per
 * started KB of the entry. Nothing when the item is not in the index before or after.
 */
export function indexWriteUnits(
  index: IndexShape,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): number {
  const entry = (item: Record<string, unknown> | undefined) => {
    if (!item || item[index.pk] === undefined || item[index.sk] === undefined) return undefined;
    if (index.projectsAll) return item;
    return Object.fromEntries([index.pk, index.sk, ...TABLE_KEYS].map((name) => [name, item[name]]));
  };
  const old = entry(before);
  const next = entry(after);
  const units = (e: Record<string, unknown>) => Math.max(1, Math.ceil(itemSizeBytes(e) / 1024));
  if (!old && !next) return 0;
  if (!old) return units(next!);
  if (!next) return units(old);
  const sameKey = old[index.pk] === next[index.pk] && old[index.sk] === next[index.sk];
  if (!sameKey) return units(old) + units(next);
  return sorted(old) === sorted(next) ? 0 : units(next);
}

/** JSON with every object's keys sorted, to compare items whatever order their attributes come in. */
function sorted(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
