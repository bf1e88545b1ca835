// The networks a withdrawal's USDC can be paid out on, and a destination's shape. Kept apart
// from the address checks (destination.ts), which need EVM checksums and base58: only the
// withdrawal request and the web form carry those; every other bundle reads just these names.

export const PAYOUT_NETWORKS = ['solana', 'ethereum', 'base', 'polygon', 'arbitrum'] as const;
export type PayoutNetwork = (typeof PAYOUT_NETWORKS)[number];

export interface Destination {
  network: PayoutNetwork;
  address: string;
}

export const NETWORK_NAMES: Record<PayoutNetwork, string> = {
  solana: 'Solana',
  ethereum: 'Ethereum',
  base: 'Base',
  polygon: 'Polygon',
  arbitrum: 'Arbitrum',
};

const NETWORKS: ReadonlySet<unknown> = new Set(PAYOUT_NETWORKS);

export function isPayoutNetwork(network: unknown): network is PayoutNetwork {
  return NETWORKS.has(network);
}
