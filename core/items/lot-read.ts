// How a lot's record (items/lot.ts) reads back, checked against its schema: for the paths that read
// lots (provider reversals, expiry, the lots listed), apart from the writers refunds carry.

import * as z from 'zod';
import { ZERO } from '../money.js';
import { PRODUCTS } from '../products.js';
import type { Item } from '../table/table.js';
import { staffMarkField } from './audit-read.js';
import { isoField, lotKindField, microsField, readItem } from './fields.js';
import type { LotRecord } from './lot.js';

const shape = z.object({
  lotId: z.string(),
  kind: lotKindField,
  amount: microsField,
  source: z.enum(['stripe', 'spherepay', 'admin', 'refund']),
  reference: z.string(),
  description: z.string(),
  conditions: z.string().optional(),
  products: z.array(z.enum(PRODUCTS)).min(1).optional(),
  grantedBy: staffMarkField.optional(),
  createdAt: isoField,
  expiresAt: isoField.nullable(),
  expired: microsField.optional(),
  reversed: microsField.optional(),
  reversedFromExpired: microsField.optional(),
});

export function lotFromItem(item: Item): LotRecord {
  const { conditions, products, grantedBy, expired, reversed, reversedFromExpired, ...lot } = readItem(
    'lot',
    shape,
    item,
  );
  return {
    ...lot,
    ...(grantedBy ? { grantedBy } : {}),
    ...(conditions ? { conditions } : {}),
    ...(products ? { products } : {}),
    expired: expired ?? ZERO,
    reversed: reversed ?? ZERO,
    reversedFromExpired: reversedFromExpired ?? ZERO,
  };
}
