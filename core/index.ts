// The ledger core's public surface: what functions/ and scripts may call.

export * from './account.js';
export * from './errors.js';
export * from './items/charge.js';
export * from './items/entry.js';
export * from './items/lot.js';
export * from './items/notification.js';
export * from './items/purchase.js';
export * from './items/withdrawal.js';
export * from './ledger/alerts.js';
export * from './ledger/allowance.js';
export * from './ledger/charge.js';
export * from './ledger/expiry.js';
export * from './ledger/grants.js';
export { DEFAULT_CONFIG, Ledger, type LedgerConfig } from './ledger/ledger.js';
export * from './ledger/notifications.js';
export * from './ledger/pending.js';
export * from './ledger/purchases.js';
export * from './ledger/queries.js';
export * from './ledger/refund.js';
export * from './ledger/reversal.js';
export * from './ledger/withdrawals.js';
export * from './money.js';
export { isValidAccountId } from './table/keys.js';
export { tableDefinition } from './table/schema.js';
export { CapacityMeter, documentClient, LedgerTable } from './table/table.js';
export * from './time.js';
