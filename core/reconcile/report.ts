// The close report (SPEC §12): what reconciliation found for a day, stored beside its digest as JSON
// and CSV, once. Deterministic: nothing in it but the day's own figures (no time of the run), its
// items in a fixed order with ids derived from what they are about, so a close run again builds the
// same bytes, and the first one stored is the one kept. Resolutions are not in it: staff resolve
// items later (resolutions.ts), and GET /admin/closes/{day} joins the two.

import * as z from 'zod';
import type { ProviderName } from '../items/purchase.js';
import { CATEGORY_NAMES, type Categories } from './categories.js';
import type { RollForward } from './roll-forward.js';

export interface ProviderRead {
  provider: ProviderName;
  /** List calls made to the provider (pages included). */
  calls: number;
  payments: number;
  reversals: number;
}

export interface CloseReport {
  day: string;
  digestHash: string;
  /** The period the providers and purchases were read over: the day and the three before it. */
  period: { from: string; to: string };
  categories: Categories;
  rollForward: RollForward;
  /** Whether the roll-forward adds up and its closing is the digest's credit less the debt. */
  rollForwardHolds: boolean;
  providers: ProviderRead[];
  /** Table items reconciliation read (index keys, entries, purchases, withdrawals). */
  itemsRead: number;
}

const micros = z.string().regex(/^-?\d+$/);

const itemShape = z.strictObject({
  itemId: z.string(),
  purchaseId: z.string().optional(),
  accountId: z.string(),
  provider: z.string().optional(),
  ledgerMicros: micros.optional(),
  providerMicros: micros.optional(),
  detail: z.string(),
});

const items = z.array(itemShape);

export const reportShape = z.strictObject({
  day: z.string(),
  digestHash: z.string(),
  period: z.strictObject({ from: z.string(), to: z.string() }),
  categories: z.strictObject({
    matched: items,
    paidNotCredited: items,
    creditedNotPaid: items,
    amountMismatch: items,
    reversedAtProviderOnly: items,
    duplicates: items,
    stuckPurchases: items,
    stuckWithdrawals: items,
  }),
  rollForward: z.strictObject({
    openingMicros: micros,
    inflowsMicros: micros,
    usageMicros: micros,
    expiriesMicros: micros,
    withdrawalsMicros: micros,
    adjustmentsMicros: micros,
    closingMicros: micros,
    creditMicros: micros,
    debtMicros: micros,
  }),
  rollForwardHolds: z.boolean(),
  providers: z.array(
    z.strictObject({
      provider: z.enum(['stripe', 'spherepay']),
      calls: z.number().int(),
      payments: z.number().int(),
      reversals: z.number().int(),
    }),
  ),
  itemsRead: z.number().int(),
}) satisfies z.ZodType<CloseReport, unknown>;

export function reportJson(report: CloseReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function reportFromJson(text: string): CloseReport {
  return reportShape.parse(JSON.parse(text));
}

const ITEM_COLUMNS = [
  'itemId',
  'purchaseId',
  'accountId',
  'provider',
  'ledgerMicros',
  'providerMicros',
  'detail',
] as const;
const CSV_COLUMNS = ['category', ...ITEM_COLUMNS];

/** One row per item, by category, then the roll-forward's figures as rows of their own. */
export function reportCsv(report: CloseReport): string {
  const rows: string[][] = [CSV_COLUMNS];
  for (const category of CATEGORY_NAMES)
    for (const item of report.categories[category]) rows.push([category, ...ITEM_COLUMNS.map((c) => item[c] ?? '')]);
  for (const [figure, value] of Object.entries(report.rollForward))
    rows.push(['rollForward', figure, '', '', '', value, '', '']);
  rows.push(['rollForward', 'holds', '', '', '', '', '', String(report.rollForwardHolds)]);
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet never reads a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d+$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
