// How a monthly statement is shown (SPEC §11): amounts as decimal strings, each section with its
// count, usage and refunds by product, and the proof of the month's last day or why there is none.
// The CSV is the transactions log's own format (present.ts), every entry of the month oldest first,
// then the totals as rows of the same columns; the PDF renders the JSON's figures.

import {
  STATEMENT_SECTIONS,
  type Statement,
  type StatementProof,
  type StatementSection,
  type Total,
} from '../../core/ledger/statements.js';
import { type Micros, formatMicros as m } from '../../core/money.js';
import type { Product } from '../../core/products.js';
import { iso } from '../../core/time.js';
import { entryColumnsRow } from './csv.js';

/** How each section is named on the statement (the PDF and the CSV's total rows). */
export const SECTION_LABELS: Record<StatementSection, string> = {
  purchases: 'Purchases',
  promotionalGrants: 'Promotional grants',
  refunds: 'Refunds',
  usage: 'Usage',
  expiries: 'Expiries',
  withdrawals: 'Withdrawals (less reversals)',
  reversals: 'Reversals (card refunds and disputes)',
  adjustments: 'Adjustments',
};

export const EXPIRY_TIMING_LABEL = 'Credit expired in one month, entered as an expiry in another';

const total = (t: Total) => ({ amount: m(t.amount), count: t.count });

const byProduct = (totals: Partial<Record<Product, Total>>) =>
  Object.fromEntries(Object.entries(totals).map(([product, t]) => [product, total(t)]));

export function presentStatement(statement: Statement, proof: StatementProof, firstMonth: string | null) {
  const t = (section: StatementSection) => total(statement.sections[section]);
  const sections = {
    purchases: t('purchases'),
    promotionalGrants: t('promotionalGrants'),
    refunds: { ...t('refunds'), byProduct: byProduct(statement.refundsByProduct) },
    usage: { ...t('usage'), byProduct: byProduct(statement.usageByProduct) },
    expiries: t('expiries'),
    withdrawals: t('withdrawals'),
    reversals: t('reversals'),
    adjustments: t('adjustments'),
  } satisfies Record<StatementSection, unknown>;
  return {
    accountId: statement.accountId,
    month: statement.month,
    from: iso(statement.startMs),
    to: iso(statement.endMs),
    partial: statement.partial,
    through: iso(statement.throughMs),
    openingBalance: m(statement.opening),
    sections,
    expiryTiming: m(statement.expiryTiming),
    closingBalance: m(statement.closing),
    entries: statement.entries,
    firstMonth,
    proof: proof.proof,
    proofReason: proof.reason,
  };
}

export type StatementView = ReturnType<typeof presentStatement>;

/** The statement's totals as rows of the log's columns: type `statement`, the line in `reference`. */
export function statementTotalsCsv(statement: Statement): string[] {
  const row = (reference: string, description: string, amount: Micros) =>
    entryColumnsRow({
      type: 'statement',
      category: 'Statement',
      amount: m(amount),
      createdAt: iso(statement.throughMs),
      reference,
      description,
    });
  return [
    row('opening_balance', `Opening balance ${statement.month}`, statement.opening),
    ...STATEMENT_SECTIONS.map((s) => row(s, SECTION_LABELS[s], statement.sections[s].amount)),
    ...(statement.expiryTiming === 0 ? [] : [row('expiry_timing', EXPIRY_TIMING_LABEL, statement.expiryTiming)]),
    row(
      'closing_balance',
      `Closing balance ${statement.month}${statement.partial ? ' (partial)' : ''}`,
      statement.closing,
    ),
  ];
}
