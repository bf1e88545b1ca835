// Credits Usage laid out for drawing: every bucket a bar stacked by product, one layer per product
// that used credit in the range (catalog order, bottom up), and its refunds beside it. The layers'
// heights are added up exactly, in BigInt micro-credits, and only then become plotting numbers.

import type { Usage } from '../api/queries';
import { chartValue, decimalOfMicros, isZero, microsOf } from '../money';
import { PRODUCTS, type Product } from '../products';

/** The products that used credit in the range, in catalog order: the chart's layers and the legend. */
export function productsUsed(data: Usage): Product[] {
  return PRODUCTS.filter((product) => {
    const figures = data.total.byProduct?.[product];
    return figures !== undefined && !isZero(figures.usage);
  });
}

/** What `product` used in a bucket ("0" when it used nothing there). */
export function usageOf(bucket: Usage['total'] | undefined, product: Product): string {
  return bucket?.byProduct?.[product]?.usage ?? '0';
}

export interface StackedUsage {
  /** For each product, bottom up: the top of its layer in every bucket (it and the products below it). */
  tops: number[][];
  refunds: number[];
}

export function stackUsage(data: Usage, starts: readonly number[], products: readonly Product[]): StackedUsage {
  const byStart = new Map(data.buckets.map((bucket) => [Date.parse(bucket.start), bucket]));
  const below = starts.map(() => 0n);
  const tops = products.map((product) =>
    starts.map((start, i) => {
      below[i] = below[i]! + microsOf(usageOf(byStart.get(start), product));
      return chartValue(decimalOfMicros(below[i]!));
    }),
  );
  return { tops, refunds: starts.map((start) => chartValue(byStart.get(start)?.refunds ?? '0')) };
}

/** A layer's colour: the design token --product-<product>, or --refunds (styles.css), as the swatches use. */
export function layerColour(element: Element, layer: Product | 'refunds'): string {
  const token = layer === 'refunds' ? '--refunds' : `--product-${layer}`;
  return getComputedStyle(element).getPropertyValue(token).trim();
}
