// The ledger core's public surface: what functions/ and scripts may call.

export * from './money.js';
export * from './errors.js';
export * from './time.js';
export * from './account.js';
export * from './ledger/types.js';
export { Ledger, DEFAULT_CONFIG, type LedgerConfig } from './ledger/ledger.js';
export * from './ledger/grants.js';
export * from './ledger/charge.js';
export * from './ledger/pending.js';
export * from './ledger/refund.js';
export * from './ledger/reversal.js';
export * from './ledger/purchases.js';
export * from './ledger/expiry.js';
export * from './ledger/withdrawals.js';
export * from './ledger/allowance.js';
export * from './ledger/queries.js';
export * from './ledger/notifications.js';
export { LedgerTable, CapacityMeter, documentClient } from './table/table.js';
export { tableDefinition } from './table/schema.js';
export { isValidAccountId } from './table/keys.js';
