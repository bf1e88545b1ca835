// The kinds of ledger entry and the categories the transactions log shows them under (SPEC §3):
// one list for the ledger, the API's schemas and the app. No imports, so the app carries only this.

export const ENTRY_TYPES = [
  'purchase',
  'promotional_grant',
  'usage',
  'refund',
  'expiry',
  'withdrawal',
  'withdrawal_reversal',
  'reversal',
  'adjustment',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** The categories the transactions log shows (SPEC §3), in that order. */
export const CATEGORIES = [
  'Credit Inflow',
  'Usage Deductions',
  'Refunds',
  'Expired',
  'Withdrawals',
  'Adjustments',
] as const;
export type Category = (typeof CATEGORIES)[number];

const CATEGORY: Record<EntryType, Category> = {
  purchase: 'Credit Inflow',
  promotional_grant: 'Credit Inflow',
  usage: 'Usage Deductions',
  refund: 'Refunds',
  expiry: 'Expired',
  withdrawal: 'Withdrawals',
  withdrawal_reversal: 'Withdrawals',
  reversal: 'Adjustments',
  adjustment: 'Adjustments',
};

export function categoryOf(type: EntryType): Category {
  return CATEGORY[type];
}

/** The entry types shown under a category. */
export function typesOf(category: Category): EntryType[] {
  return ENTRY_TYPES.filter((type) => CATEGORY[type] === category);
}
