// Where a withdrawal's USDC goes: a network and an address valid on it (SPEC §5, §7). Solana
// addresses are base58 of a 32-byte public key; EVM addresses are 0x and 40 hex digits, with a
// valid EIP-55 checksum when they mix upper and lower case (all one case carries no checksum).
// The web app imports this module too, so the form refuses what the API would refuse.

import { base58 } from '@scure/base';
import { getAddress } from 'viem';
import { NETWORK_NAMES, type PayoutNetwork } from './payout.js';

export { type Destination, isPayoutNetwork, NETWORK_NAMES, PAYOUT_NETWORKS, type PayoutNetwork } from './payout.js';

const SOLANA_KEY_BYTES = 32;
const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Why `address` can not receive USDC on `network`, or null when it can. */
export function destinationProblem(network: PayoutNetwork, address: string): string | null {
  if (address !== address.trim() || address === '') return 'the address is empty or has spaces around it';
  if (network === 'solana') {
    let bytes: Uint8Array;
    try {
      bytes = base58.decode(address);
    } catch {
      return 'a Solana address is base58 (no 0, O, I or l)';
    }
    return bytes.length === SOLANA_KEY_BYTES
      ? null
      : `a Solana address is a 32-byte key; this one is ${bytes.length} bytes`;
  }
  if (!EVM_ADDRESS.test(address)) return `an address on ${NETWORK_NAMES[network]} is 0x followed by 40 hex digits`;
  const digits = address.slice(2);
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixedCase && getAddress(address.toLowerCase()) !== address)
    return 'the address has a wrong EIP-55 checksum (a mistyped letter?)';
  return null;
}
