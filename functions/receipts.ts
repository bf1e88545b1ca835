// GET /credits/receipts and /credits/receipts/{number}: the receipts of completed purchases and the
// credit notes of provider refunds and disputes (SPEC §11), each shown with the seller it was
// issued by and the line it documents.

import { InvalidRequest, NotFound } from '../core/errors.js';
import type { BillingProfile } from '../core/items/billing-profile.js';
import { getBillingProfile, setBillingProfile } from '../core/ledger/billing-profile.js';
import { getDocument, listDocuments } from '../core/ledger/receipts.js';
import { documentPdf } from './documents/pdf.js';
import { accountFor } from './http/auth.js';
import { openCursor, signCursor } from './http/cursor.js';
import { presentDocument, sellerFromEnv } from './http/documents.js';
import { groupHandler, implement } from './http/handler.js';
import { receiptsRoutes as api } from './http/routes/receipts.js';
import { secrets } from './http/secrets.js';

const DEFAULT_PAGE = 50;

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
  ],
  { use: [secrets()] },
);

/** `format=pdf`, or no format and a client that asks for a PDF. */
function wantsPdf(format: 'json' | 'pdf' | undefined, accept: string | undefined): boolean {
  if (format) return format === 'pdf';
  return accept?.split(',').some((type) => type.trim().startsWith('application/pdf')) === true;
}

/** The profile as sent, without the optional fields it left out (DynamoDB keeps no undefined). */
function withoutUndefined(body: BillingProfile): BillingProfile {
  return JSON.parse(JSON.stringify(body));
}
