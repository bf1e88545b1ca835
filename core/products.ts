// The io.net Cloud products credit pays for (SPEC §10), with the names the seed gives them: a charge
// names its product (absent: `other`, so clients that do not know products keep working), usage is
// counted by product, and promotional credit may be scoped to some of them. No imports, so the app
// can use it.

export const PRODUCTS = ['ray_cluster', 'vm', 'kubernetes', 'baremetal', 'inference', 'other'] as const;
export type Product = (typeof PRODUCTS)[number];

export const DEFAULT_PRODUCT: Product = 'other';

export const PRODUCT_NAMES: Record<Product, string> = {
  ray_cluster: 'Ray Clusters',
  vm: 'VMs',
  kubernetes: 'Kubernetes',
  baremetal: 'Baremetal',
  inference: 'Inference',
  other: 'Other',
};

export function isProduct(value: unknown): value is Product {
  return PRODUCTS.some((product) => product === value);
}

/** A scope as stored: its products once each, in catalog order. */
export function normalScope(products: readonly Product[]): Product[] {
  return PRODUCTS.filter((product) => products.includes(product));
}
