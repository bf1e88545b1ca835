// GET /credits/balance, /credits/check, /credits/transactions, /credits/usage, and the daily
// digests and each account's proof in them (/credits/digests/{day}, /credits/proof): the read side.

import { proofFor, publishedDigest } from '../core/close/proof.js';
import type { DigestStore } from '../core/close/store.js';
import { InvalidRequest, NotFound } from '../core/errors.js';
import { type EntryType, type LedgerEntry, typesOf } from '../core/items/entry.js';
import {
  balanceAt,
  check,
  getBalance,
  listTransactions,
  type TransactionQuery,
  usage,
} from '../core/ledger/queries.js';
import { DAY_MS } from '../core/time.js';
import { accountFor } from './http/auth.js';
import { entriesCsv } from './http/csv.js';
import { openCursor, signCursor } from './http/cursor.js';
import { digestsOf } from './http/digests.js';
import { groupHandler, implement } from './http/handler.js';
import * as present from './http/present.js';
import { balanceRoutes as api } from './http/routes/balance.js';
import type { Runtime } from './http/runtime.js';
import { secrets } from './http/secrets.js';

/** The most rows one CSV export holds; `X-Next-Cursor` continues past it. */
export const MAX_CSV_ROWS = 10_000;
const CSV_PAGE = 100;

export const handler = groupHandler(
  [
    implement(api.balance, async ({ caller, query, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      if (query.at !== undefined) {
        if (query.at > runtime.ledger.nowMs()) throw new InvalidRequest('at is in the future');
        return { status: 200, body: present.balanceAt(await balanceAt(runtime.ledger, accountId, query.at)) };
      }
      return { status: 200, body: present.balance(await getBalance(runtime.ledger, accountId)) };
    }),

    implement(api.check, async ({ caller, query, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      return { status: 200, body: present.check(await check(runtime.ledger, accountId, query.amount, query.product)) };
    }),

    implement(api.transactions, async ({ caller, query, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      const filters = JSON.stringify([
        query.type ?? null,
        query.category ?? null,
        query.from ?? null,
        query.to ?? null,
        // Only when given, so a cursor made before products were kept stays valid.
        ...(query.product ? [query.product] : []),
      ]);
      const types = query.category
        ? typesOf(query.category).filter((type) => !query.type || type === query.type)
        : query.type
          ? [query.type as EntryType]
          : undefined;
      const base: TransactionQuery = {
        accountId,
        ...(types ? { types } : {}),
        ...(query.product ? { product: query.product } : {}),
        ...(query.from !== undefined ? { fromMs: query.from } : {}),
        ...(query.to !== undefined ? { toMs: query.to } : {}),
      };
      let cursor = query.cursor ? openCursor(runtime.cursorSecret, query.cursor, accountId, filters) : undefined;
      const sign = (key: string | null) =>
        key ? signCursor(runtime.cursorSecret, { a: accountId, k: key, f: filters }) : null;

      if (query.format === 'csv') {
        const rows: LedgerEntry[] = [];
        const wanted = query.limit ?? MAX_CSV_ROWS;
        for (let page = 0; page < MAX_CSV_ROWS / CSV_PAGE && rows.length < wanted; page += 1) {
          const out = await listTransactions(runtime.ledger, {
            ...base,
            limit: Math.min(CSV_PAGE, wanted - rows.length),
            cursor,
          });
          rows.push(...out.items);
          cursor = out.nextCursor ?? undefined;
          if (!cursor) break;
        }
        const next = sign(cursor ?? null);
        return {
          status: 200,
          csv: entriesCsv(rows),
          headers: {
            'content-disposition': 'attachment; filename="transactions.csv"',
            ...(next ? { 'x-next-cursor': next } : {}),
          },
        };
      }
      const out = await listTransactions(runtime.ledger, { ...base, limit: query.limit ?? 50, cursor });
      return { status: 200, body: { items: out.items.map(present.entry), nextCursor: sign(out.nextCursor) } };
    }),

    implement(api.usage, async ({ caller, query, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      const toMs = query.to ?? runtime.ledger.nowMs();
      const fromMs = query.from ?? toMs - 30 * DAY_MS;
      const result = await usage(runtime.ledger, {
        accountId,
        fromMs,
        toMs,
        granularity: query.granularity ?? 'day',
        ...(query.groupBy ? { groupBy: query.groupBy } : {}),
      });
      const { start: _start, ...total } = present.usage(result.total);
      return { status: 200, body: { buckets: result.buckets.map(present.usage), total } };
    }),

    implement(api.digest, async ({ params, runtime }) => ({
      status: 200,
      body: await publishedDigest(publishedDigests(runtime), params.day),
    })),

    implement(api.proof, async ({ caller, query, runtime }) => {
      const accountId = accountFor(caller, query.accountId, 'read');
      return { status: 200, body: await proofFor(publishedDigests(runtime), accountId, query.day) };
    }),
  ],
  { use: [secrets()] },
);

function publishedDigests(runtime: Runtime): DigestStore {
  const digests = digestsOf(runtime);
  if (!digests) throw new NotFound('no digests are published here');
  return digests;
}
