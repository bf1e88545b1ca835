// Usage by product, rolled up (SPEC §10): one item per UTC day, written once the day is over by the
// first operation of a later day, and one per month that each day's figures are added to in the
// same transaction. A usage read costs one item per bucket, however many charges the day had.
//
//   account item: usageDays [today's counts, an earlier day's until written out]
//        │ first operation of a later day, in its own transaction
//        ├──► USAGE#D#2026-12-04 {u_vm, r_vm, …}     (ADD: the day's figures)
//        └──► USAGE#M#2026-12    {u_vm, r_vm, …}     (ADD: the month so far)

import * as z from 'zod';
import type { UsageDay } from '../account.js';
import type { Micros } from '../money.js';
import { PRODUCTS, type Product } from '../products.js';
import { keys } from '../table/keys.js';
import type { Item, TransactItem } from '../table/table.js';
import { nonNegativeMicrosField, readItem } from './fields.js';

/** Usage and refunds of one product in one bucket. */
export interface ProductUsage {
  usage: Micros;
  refunds: Micros;
}

export type UsageByProduct = Partial<Record<Product, ProductUsage>>;

/**
 * Adds usage to a day's or a month's item (`u_<product>` usage, `r_<product>` refunds), made by the
 * first addition: an addition, never an overwrite, so a day written out twice (an entry that landed
 * on a day already written out, behind another writer's clock) adds up rather than replaces.
 */
function addTo(
  key: { pk: string; sk: string },
  bucket: { day: string } | { month: string },
  byProduct: UsageByProduct,
): TransactItem {
  const adds = Object.entries(byProduct).flatMap(([product, u], i) =>
    u
      ? [
          [`#u${i}`, `u_${product}`, `:u${i}`, u.usage] as const,
          [`#r${i}`, `r_${product}`, `:r${i}`, u.refunds] as const,
        ]
      : [],
  );
  const [field, value] = 'day' in bucket ? ['day', bucket.day] : ['month', bucket.month];
  return {
    Update: {
      Key: key,
      UpdateExpression: `SET itemType = :type, #bucket = :bucket ADD ${adds.map(([n, , v]) => `${n} ${v}`).join(', ')}`,
      ExpressionAttributeNames: { '#bucket': field, ...Object.fromEntries(adds.map(([n, a]) => [n, a])) },
      ExpressionAttributeValues: {
        ':type': 'day' in bucket ? 'usageDay' : 'usageMonth',
        ':bucket': value,
        ...Object.fromEntries(adds.map(([, , v, amount]) => [v, amount])),
      },
    },
  };
}

export const usageItems = {
  /** A day's usage, once the day is over. */
  day: (accountId: string, day: UsageDay): TransactItem =>
    addTo(keys.usageDay(accountId, day.day), { day: day.day }, day.byProduct),
  /** Days' usage added to their month's. */
  month: (accountId: string, month: string, byProduct: UsageByProduct): TransactItem =>
    addTo(keys.usageMonth(accountId, month), { month }, byProduct),
};

const counts = z.object({ usage: nonNegativeMicrosField, refunds: nonNegativeMicrosField });
const bucketShape = z.object({ day: z.string().optional(), month: z.string().optional() });

/** A day's or a month's usage by product, from its `u_<product>` and `r_<product>` counters. */
function byProductOf(kind: string, item: Item): UsageByProduct {
  const byProduct: UsageByProduct = {};
  for (const product of PRODUCTS) {
    const usage = item[`u_${product}`];
    const refunds = item[`r_${product}`];
    if (usage === undefined && refunds === undefined) continue;
    byProduct[product] = readItem(kind, counts, { usage: usage ?? 0, refunds: refunds ?? 0, pk: item.pk, sk: item.sk });
  }
  return byProduct;
}

export function usageDayFromItem(item: Item): UsageDay {
  const { day } = readItem('usage day', bucketShape.required({ day: true }), item);
  return { day, byProduct: byProductOf('usage day', item) };
}

export function usageMonthFromItem(item: Item): { month: string; byProduct: UsageByProduct } {
  const { month } = readItem('usage month', bucketShape.required({ month: true }), item);
  return { month, byProduct: byProductOf('usage month', item) };
}
