// A valid USDC destination for withdrawals in tests: a Solana address (base58 of 32 bytes).

import type { Destination } from '../../core/destination.js';

export const WALLET: Destination = { network: 'solana', address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV' };
