// How a ledger entry (items/entry.ts) reads back, checked against its schema: for the reads that
// list entries (transactions, usage from before the rollups), apart from the writer every ledger
// operation carries.

import * as z from 'zod';
import { categoryOf, ENTRY_TYPES } from '../entry-types.js';
import { DEFAULT_PRODUCT, PRODUCTS } from '../products.js';
import type { Item } from '../table/table.js';
import type { LedgerEntry } from './entry.js';
import { isoField, lotKindField, microsField, readItem } from './fields.js';

const hashField = z.string().regex(/^[0-9a-f]{64}$/);

const shape = z.object({
  transactionId: z.string(),
  type: z.enum(ENTRY_TYPES),
  amount: microsField,
  balanceAfter: microsField,
  createdAt: isoField,
  reference: z.string(),
  description: z.string(),
  product: z.enum(PRODUCTS).optional(),
  deploymentId: z.string().optional(),
  projectId: z.string().optional(),
  paidFrom: z.array(z.object({ lotId: z.string(), kind: lotKindField, amount: microsField })).optional(),
  allowance: microsField.optional(),
  seq: z.number().int().min(1).optional(),
  prevHash: hashField.optional(),
  hash: hashField.optional(),
});

/** An entry read with only its type, amount, time and product (usage read from entries). */
export function movementFromItem(item: Item): Pick<LedgerEntry, 'type' | 'amount' | 'createdAt' | 'product'> {
  const { product, ...movement } = readItem(
    'ledger entry',
    shape.pick({ type: true, amount: true, createdAt: true, product: true }),
    item,
  );
  return { ...movement, ...(product ? { product } : {}) };
}

export function entryFromItem(item: Item): LedgerEntry {
  const { product, deploymentId, projectId, paidFrom, allowance, seq, prevHash, hash, ...entry } = readItem(
    'ledger entry',
    shape,
    item,
  );
  const forUsage = entry.type === 'usage' || entry.type === 'refund';
  return {
    ...entry,
    category: categoryOf(entry.type),
    // Usage before products were recorded was for no product in particular: `other`.
    ...(forUsage ? { product: product ?? DEFAULT_PRODUCT } : {}),
    ...(deploymentId ? { deploymentId } : {}),
    ...(projectId ? { projectId } : {}),
    ...(paidFrom ? { paidFrom } : {}),
    ...(allowance === undefined ? {} : { allowance }),
    ...(seq !== undefined && prevHash !== undefined && hash !== undefined ? { seq, prevHash, hash } : {}),
  };
}
