// DynamoDB's item size, by the rules AWS bills by: attribute names count in UTF-8 bytes; a
// string is its UTF-8 bytes; a number about one byte per two significant digits plus one; a
// boolean or null one byte; a list or map 3 bytes plus one per element plus its contents.
// Used to compute billed capacity where DynamoDB Local does not report it (transactions).

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
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
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
