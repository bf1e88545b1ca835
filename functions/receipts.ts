// GET /credits/receipts and /credits/receipts/{number}: the receipts of completed purchases and the
// credit notes of provider refunds and disputes (SPEC §11), each shown with the seller it was
// issued by and the line it documents.

import { InvalidRequest, NotFound } from '../core/errors.js';
import type { BillingProfile } from '../core/items/billing-profile.js';
import { getBillingProfile, setBillingProfile } from '../core/ledger/billing-profile.js';
import { getDocument, listDocuments } from '../core/ledger/receipts.js';
import {
  firstMonthOf,
  forEachMonthPage,
  parseMonth,
  type Statement,
  type StatementMonth,
  statementOf,
  statementProof,
} from '../core/ledger/statements.js';
import { documentPdf } from './documents/pdf.js';
import { statementPdf } from './documents/statement-pdf.js';
import { accountFor } from './http/auth.js';
import { ENTRY_CSV_HEADER, entryCsvRow } from './http/csv.js';
import { openCursor, signCursor } from './http/cursor.js';
import { digestsOf } from './http/digests.js';
import { presentDocument, sellerFromEnv } from './http/documents.js';
import { groupHandler, implement, type Reply } from './http/handler.js';
import { receiptsRoutes as api } from './http/routes/receipts.js';
import type { Runtime } from './http/runtime.js';
import { secrets } from './http/secrets.js';
import { presentStatement, statementTotalsCsv } from './http/statements.js';

const DEFAULT_PAGE = 50;
/** Entries in one part of a statement's CSV; a longer month continues in parts (`X-Next-Cursor`). */
export const STATEMENT_CSV_ROWS = 10_000;

/** The key a signed cursor holds: where the previous page ended. */
function pageKey(text: string): { pk: string; sk: string } {
  const key: unknown = JSON.parse(text);
  if (typeof key !== 'object' || key === null || !('pk' in key) || !('sk' in key))
    throw new InvalidRequest('cursor is not valid');
  return { pk: String(key.pk), sk: String(key.sk) };
}

export const handler = groupHandler(
  [
    implement(api.billingProfile, async ({ caller, query, runtime }) => {
      const profile = await getBillingProfile(runtime.ledger, accountFor(caller, query.accountId, 'read'));
      if (!profile) throw new NotFound('no billing profile is set');
      return { status: 200, body: profile };
    }),

    implement(api.setBillingProfile, async ({ caller, body, runtime }) => ({
      status: 200,
      body: await setBillingProfile(runtime.ledger, accountFor(caller, undefined, 'write'), withoutUndefined(body)),
    })),

    implement(api.receipts, async ({ caller, query, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      const kind = query.kind ?? 'receipt';
      const filters = `documents:${kind}`;
      const after = query.cursor ? openCursor(runtime.cursorSecret, query.cursor, accountId, filters) : undefined;
      const out = await listDocuments(runtime.ledger, {
        accountId,
        kind,
        limit: query.limit ?? DEFAULT_PAGE,
        ...(after ? { after: pageKey(after) } : {}),
      });
      const seller = sellerFromEnv(process.env);
      return {
        status: 200,
        body: {
          items: out.items.map((document) => presentDocument(document, seller)),
          nextCursor: out.lastKey
            ? signCursor(runtime.cursorSecret, { a: accountId, k: JSON.stringify(out.lastKey), f: filters })
            : null,
        },
      };
    }),

    implement(api.receipt, async ({ caller, headers, params, query, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      const view = presentDocument(
        await getDocument(runtime.ledger, accountId, params.number),
        sellerFromEnv(process.env),
      );
      if (!wantsPdf(query.format, headers.accept)) return { status: 200, body: view };
      return {
        status: 200,
        pdf: await documentPdf(view),
        headers: { 'content-disposition': `attachment; filename="${view.number}.pdf"` },
      };
    }),

    implement(api.statement, async ({ caller, headers, params, query, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      const month = parseMonth(params.month, runtime.ledger.nowMs());
      if (query.format === 'csv') return statementCsv(runtime, accountId, month, query.cursor);
      if (query.cursor !== undefined) throw new InvalidRequest('cursor continues a CSV only (format=csv)');
      const present = async (statement: Statement) =>
        presentStatement(
          statement,
          await statementProof(digestsOf(runtime), statement),
          await firstMonthOf(runtime.ledger, accountId),
        );
      // Only the PDF keeps what it lists (usage by day, the other entries); the JSON only sums.
      if (!wantsPdf(query.format, headers.accept))
        return {
          status: 200,
          body: await present(await statementOf(runtime.ledger, accountId, month, { detail: false })),
        };
      const statement = await statementOf(runtime.ledger, accountId, month);
      const view = await present(statement);
      return {
        status: 200,
        pdf: await statementPdf(view, statement.detail, sellerFromEnv(process.env)),
        headers: { 'content-disposition': `attachment; filename="statement-${month.month}.pdf"` },
      };
    }),
  ],
  { use: [secrets()] },
);

/**
 * A statement's CSV: the month's entries oldest first, in parts of STATEMENT_CSV_ROWS with a signed
 * cursor to the next; the last part ends with the totals (read as the JSON reads them).
 */
async function statementCsv(runtime: Runtime, accountId: string, month: StatementMonth, cursor?: string) {
  const filters = `statement:${month.month}`;
  const afterSk = cursor ? openCursor(runtime.cursorSecret, cursor, accountId, filters) : undefined;
  const rows = [ENTRY_CSV_HEADER];
  let next: string | undefined;
  await forEachMonthPage(runtime.ledger, { accountId, month, ...(afterSk ? { afterSk } : {}) }, (entries, lastSk) => {
    for (const entry of entries) rows.push(entryCsvRow(entry));
    if (lastSk && rows.length > STATEMENT_CSV_ROWS) {
      next = lastSk;
      return false;
    }
  });
  if (!next) rows.push(...statementTotalsCsv(await statementOf(runtime.ledger, accountId, month, { detail: false })));
  const reply: Reply = {
    status: 200,
    csv: `${rows.join('\r\n')}\r\n`,
    headers: {
      'content-disposition': `attachment; filename="statement-${month.month}.csv"`,
      ...(next ? { 'x-next-cursor': signCursor(runtime.cursorSecret, { a: accountId, k: next, f: filters }) } : {}),
    },
  };
  return reply;
}

/** `format=pdf`, or no format and a client that asks for a PDF. */
function wantsPdf(format: 'json' | 'csv' | 'pdf' | undefined, accept: string | undefined): boolean {
  if (format) return format === 'pdf';
  return accept?.split(',').some((type) => type.trim().startsWith('application/pdf')) === true;
}

/** The profile as sent, without the optional fields it left out (DynamoDB keeps no undefined). */
function withoutUndefined(body: BillingProfile): BillingProfile {
  return JSON.parse(JSON.stringify(body));
}
