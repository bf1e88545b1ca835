// /admin/*: the finance queue for withdrawals, promotional grants and negative allowances.
// Every route needs the credits:admin scope (checked by the route table's `access`).

import type { DigestStore } from '../core/close/store.js';
import { NotFound } from '../core/errors.js';
import type { AuditRecord } from '../core/items/audit.js';
import { accountView } from '../core/ledger/account-view.js';
import { setNegativeAllowance } from '../core/ledger/allowance.js';
import { type AuditQuery, listAudit, MAX_AUDIT_PAGE } from '../core/ledger/audit-log.js';
import { grantPromotional } from '../core/ledger/grants.js';
import type { Ledger } from '../core/ledger/ledger.js';
import {
  approveWithdrawal,
  completeWithdrawal,
  listWithdrawalsByStatus,
  rejectWithdrawal,
} from '../core/ledger/withdrawals.js';
import { closeView, resolveCloseItem } from '../core/reconcile/resolutions.js';
import type { Item } from '../core/table/table.js';
import { iso } from '../core/time.js';
import { actorOf } from './http/auth.js';
import { auditCsv } from './http/csv.js';
import { openCursor, signCursor } from './http/cursor.js';
import { digestsOf } from './http/digests.js';
import { groupHandler, implement } from './http/handler.js';
import * as present from './http/present.js';
import { adminRoutes as api } from './http/routes/admin.js';
import type { Runtime } from './http/runtime.js';
import { secrets } from './http/secrets.js';

/** Days listed by GET /admin/closes. */
const MAX_CLOSES_LISTED = 100;

function digestStore(runtime: Runtime): DigestStore {
  const store = digestsOf(runtime);
  if (!store) throw new NotFound('no daily close runs here');
  return store;
}

/** Cursors of the audit log are bound to it, as a transactions cursor is to its account. */
const AUDIT_CURSOR = '*audit*';
/** The most rows one CSV export holds; `X-Next-Cursor` continues past it. */
export const MAX_CSV_ROWS = 10_000;

/** Up to `wanted` records for a CSV export, a page at a time. */
async function auditRows(
  ledger: Ledger,
  base: Omit<AuditQuery, 'limit' | 'after'>,
  after: Item | undefined,
  wanted: number,
): Promise<{ records: AuditRecord[]; nextKey: Item | undefined }> {
  const records: AuditRecord[] = [];
  let nextKey = after;
  for (let page = 0; page < MAX_CSV_ROWS / MAX_AUDIT_PAGE && records.length < wanted; page += 1) {
    const limit = Math.min(MAX_AUDIT_PAGE, wanted - records.length);
    const out = await listAudit(ledger, { ...base, limit, ...(nextKey ? { after: nextKey } : {}) });
    records.push(...out.items);
    nextKey = out.nextKey;
    if (!nextKey) break;
  }
  return { records, nextKey };
}

export const handler = groupHandler(
  [
    implement(api.withdrawalQueue, async ({ query, runtime }) => ({
      status: 200,
      body: {
        items: (await listWithdrawalsByStatus(runtime.ledger, query.status ?? 'pending_review')).map(
          present.withdrawal,
        ),
      },
    })),

    implement(api.closes, async ({ runtime }) => ({
      status: 200,
      body: { days: await digestStore(runtime).closeReportDays(MAX_CLOSES_LISTED) },
    })),

    implement(api.closeReport, async ({ params, runtime }) => ({
      status: 200,
      body: await closeView(runtime.ledger, digestStore(runtime), params.day),
    })),

    implement(api.resolveCloseItem, async ({ caller, params, body, runtime }) => ({
      status: 200,
      body: {
        itemId: params.itemId,
        resolved: await resolveCloseItem(runtime.ledger, digestStore(runtime), {
          day: params.day,
          itemId: params.itemId,
          note: body.note,
          actor: actorOf(caller),
        }),
      },
    })),

    implement(api.approveWithdrawal, async ({ caller, params, runtime }) => ({
      status: 200,
      body: present.withdrawal(await approveWithdrawal(runtime.ledger, params.withdrawalId, actorOf(caller))),
    })),

    implement(api.rejectWithdrawal, async ({ caller, params, body, runtime }) => ({
      status: 200,
      body: present.withdrawal(
        await rejectWithdrawal(runtime.ledger, params.withdrawalId, body.reason, actorOf(caller)),
      ),
    })),

    implement(api.completeWithdrawal, async ({ caller, params, body, runtime }) => ({
      status: 200,
      body: present.withdrawal(
        await completeWithdrawal(runtime.ledger, params.withdrawalId, body.payoutReference, actorOf(caller)),
      ),
    })),

    implement(api.grantPromotional, async ({ caller, params, body, idempotencyKey, runtime }) => {
      const grant = await grantPromotional(runtime.ledger, {
        accountId: params.accountId,
        amount: body.amount,
        expiresAtMs: body.expiresAt ?? null,
        description: body.description,
        conditions: body.conditions,
        ...(body.products ? { products: body.products } : {}),
        idempotencyKey,
        actor: actorOf(caller),
      });
      return { status: 201, body: present.grant(grant) };
    }),

    implement(api.auditLog, async ({ query, runtime }) => {
      const filters = JSON.stringify([
        query.from ?? null,
        query.to ?? null,
        query.actor ?? null,
        query.accountId ?? null,
      ]);
      const base = {
        ...(query.accountId ? { accountId: query.accountId } : {}),
        ...(query.actor ? { actor: query.actor } : {}),
        ...(query.from !== undefined ? { from: iso(query.from) } : {}),
        ...(query.to !== undefined ? { to: iso(query.to) } : {}),
      };
      const cursor = query.cursor ? openCursor(runtime.cursorSecret, query.cursor, AUDIT_CURSOR, filters) : undefined;
      const after = cursor === undefined ? undefined : (JSON.parse(cursor) as Item);
      const sign = (key: Item | undefined) =>
        key ? signCursor(runtime.cursorSecret, { a: AUDIT_CURSOR, k: JSON.stringify(key), f: filters }) : null;
      if (query.format === 'csv') {
        const { records, nextKey } = await auditRows(runtime.ledger, base, after, query.limit ?? MAX_CSV_ROWS);
        const next = sign(nextKey);
        return {
          status: 200,
          csv: auditCsv(records),
          headers: {
            'content-disposition': 'attachment; filename="audit.csv"',
            ...(next ? { 'x-next-cursor': next } : {}),
          },
        };
      }
      const page = await listAudit(runtime.ledger, { ...base, limit: query.limit ?? 50, ...(after ? { after } : {}) });
      return { status: 200, body: { items: page.items.map(present.audit), nextCursor: sign(page.nextKey) } };
    }),

    implement(api.accountView, async ({ params, runtime }) => ({
      status: 200,
      body: present.accountView(await accountView(runtime.ledger, params.accountId)),
    })),

    implement(api.setNegativeAllowance, async ({ caller, params, body, runtime }) => ({
      status: 200,
      body: present.allowance(
        await setNegativeAllowance(runtime.ledger, params.accountId, body.amount, actorOf(caller)),
      ),
    })),
  ],
  { use: [secrets()] },
);
