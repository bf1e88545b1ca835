// The io.net Cloud products credit pays for, as people read them: the seed's names (core/products.ts,
// which the API uses too) and a scope of promotional credit in words ("Inference only").

import { isProduct, PRODUCT_NAMES, PRODUCTS, type Product } from '../../core/products.js';

export { isProduct, PRODUCT_NAMES, PRODUCTS, type Product };

/** "Inference only", "VMs and Inference only", "Ray Clusters, VMs and Inference only": in catalog order. */
export function scopeName(products: readonly Product[]): string {
  const names = PRODUCTS.filter((p) => products.includes(p)).map((p) => PRODUCT_NAMES[p]);
  const listed = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  return `${listed} only`;
}
