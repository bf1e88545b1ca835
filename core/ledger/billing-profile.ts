// The account's billing profile (SPEC §11): read for the Settings page and copied into each
// receipt when it is issued (receipts.ts); replaced whole by its owner, once valid.

import { validBillingProfile } from '../billing-profile.js';
import { type BillingProfile, billingProfileFromItem, billingProfileItem } from '../items/billing-profile.js';
import { keys } from '../table/keys.js';
import { iso } from '../time.js';
import type { Ledger } from './ledger.js';

/** The profile, or null when the account has none yet. */
export async function getBillingProfile(ledger: Ledger, accountId: string): Promise<BillingProfile | null> {
  return billingProfileFromItem(await ledger.table.get(keys.billingProfile(accountId))) ?? null;
}

export async function setBillingProfile(
  ledger: Ledger,
  accountId: string,
  profile: BillingProfile,
): Promise<BillingProfile> {
  const valid = validBillingProfile(profile);
  await ledger.table.put({ Item: billingProfileItem(accountId, valid, iso(ledger.nowMs())) });
  return valid;
}
