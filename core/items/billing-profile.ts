// The buyer's billing profile (SPEC §11): who receipts and credit notes are made out to. One item
// per account, replaced as a whole; a receipt copies it as it was when the purchase was paid, so a
// later change never rewrites an issued document. What a valid profile is (country codes, tax id
// formats) is checked where it comes in (core/billing-profile.ts); here, what is stored.

import * as z from 'zod';
import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { readItem } from './fields.js';

export const TAX_ID_TYPES = ['eu_vat', 'gb_vat', 'us_ein', 'au_abn', 'in_gst'] as const;
export type TaxIdType = (typeof TAX_ID_TYPES)[number];

export interface BillingProfile {
  name: string;
  email?: string;
  address: { line1: string; line2?: string; city: string; postalCode?: string; region?: string; country: string };
  taxId?: { type: TaxIdType; value: string };
}

export const billingProfileShape = z.object({
  name: z.string(),
  email: z.string().optional(),
  address: z.object({
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string(),
    postalCode: z.string().optional(),
    region: z.string().optional(),
    country: z.string().length(2),
  }),
  taxId: z.object({ type: z.enum(TAX_ID_TYPES), value: z.string() }).optional(),
}) satisfies z.ZodType<BillingProfile, unknown>;

const storedShape = z.object({ profile: billingProfileShape, updatedAt: z.string() });

export function billingProfileFromItem(item: Item | undefined): BillingProfile | undefined {
  return item ? readItem('billing profile', storedShape, item).profile : undefined;
}

/** The profile, replaced whole: a receipt already issued keeps the copy it was made with. */
export function billingProfileItem(accountId: string, profile: BillingProfile, now: string): Item {
  return { ...keys.billingProfile(accountId), itemType: 'billingProfile', profile, updatedAt: now };
}
