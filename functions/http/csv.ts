// The API's CSV exports: the transactions log (GET /credits/transactions?format=csv), a monthly
// statement's entries and totals in the same columns, and the audit log. Apart from present.ts, so
// the functions that answer only JSON (charges, balance checks) carry none of it.

import type { AuditRecord } from '../../core/items/audit.js';
import type { LedgerEntry } from '../../core/items/entry.js';
import { formatMicros as m } from '../../core/money.js';
import { entry } from './present.js';

const CSV_COLUMNS = [
  'transactionId',
  'type',
  'category',
  'amount',
  'balanceAfter',
  'createdAt',
  'reference',
  'description',
  'product',
  'deploymentId',
  'paidFrom',
] as const;

/** The header row of the log's CSV (the transactions export and the monthly statement's). */
export const ENTRY_CSV_HEADER = CSV_COLUMNS.join(',');

/** One entry as a CSV row; `paidFrom` is `lotId:amount` for each lot that paid a usage entry, `;`-separated. */
export function entryCsvRow(e: LedgerEntry): string {
  const shaped = {
    ...entry(e),
    product: e.product ?? '',
    deploymentId: e.deploymentId ?? '',
    paidFrom: (e.paidFrom ?? []).map((p) => `${p.lotId}:${m(p.amount)}`).join(';'),
  };
  return csvRow(CSV_COLUMNS.map((column) => String(shaped[column])));
}

/** The log as CSV, with its header row. */
export function entriesCsv(entries: LedgerEntry[]): string {
  return [ENTRY_CSV_HEADER, ...entries.map(entryCsvRow)].join('\r\n') + '\r\n';
}

/** A row of the log's columns that is not an entry (a statement's totals), its cells by column name. */
export function entryColumnsRow(cells: Partial<Record<(typeof CSV_COLUMNS)[number], string>>): string {
  return csvRow(CSV_COLUMNS.map((column) => cells[column] ?? ''));
}

function csvRow(values: string[]): string {
  return values.map(csvField).join(',');
}

const AUDIT_CSV_COLUMNS = ['auditId', 'at', 'actor', 'scope', 'action', 'accountId', 'subject', 'before', 'after'];

/** The audit log as CSV: before and after as JSON in their cells. */
export function auditCsv(records: AuditRecord[]): string {
  const rows = records.map((r) =>
    [r.auditId, r.at, r.actor, r.scope, r.action, r.accountId, r.subject, json(r.before), json(r.after)]
      .map(csvField)
      .join(','),
  );
  return [AUDIT_CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

const json = (values: AuditRecord['before']) => (values ? JSON.stringify(values) : '');

/** RFC 4180 quoting, and a leading quote on text a spreadsheet would run as a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+\.\d+$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
