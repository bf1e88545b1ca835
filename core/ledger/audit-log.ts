// The audit log of staff actions (SPEC §14), read: every account's records newest first (gsi1), or
// one account's (its audit partition), by time, by actor. Apart from recording (audit.ts), which
// every staff operation carries.

import { assert } from '../assert.js';
import type { AuditRecord } from '../items/audit.js';
import { auditFromItem } from '../items/audit-read.js';
import { auditIndex, keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import type { Ledger } from './ledger.js';

export const MAX_AUDIT_PAGE = 100;
/** Pages one listing reads at most while an actor filter skips other staff's records. */
export const MAX_AUDIT_PAGES_READ = 10;

export interface AuditQuery {
  accountId?: string;
  actor?: string;
  /** ISO instants, both inclusive. */
  from?: string;
  to?: string;
  limit: number;
  /** The last key of the previous page, as `nextKey` answered it. */
  after?: Item;
}

export interface AuditPage {
  items: AuditRecord[];
  nextKey?: Item;
}

/**
 * Newest first. One account's records are a Query of its partition; everyone's, a Query of gsi1.
 * An actor filter reads at most MAX_AUDIT_PAGES_READ pages and may answer fewer records than
 * `limit` with a `nextKey` to go on from.
 */
export async function listAudit(ledger: Ledger, query: AuditQuery): Promise<AuditPage> {
  assert(query.limit >= 1 && query.limit <= MAX_AUDIT_PAGE, `audit page of ${query.limit}`);
  const items: AuditRecord[] = [];
  let startKey = query.after;
  for (let page = 0; page < MAX_AUDIT_PAGES_READ; page += 1) {
    const out = await ledger.table.query({
      ...keyCondition(query),
      ...(query.actor ? { FilterExpression: 'actor = :actor' } : {}),
      ExpressionAttributeValues: { ...valuesOf(query), ...(query.actor ? { ':actor': query.actor } : {}) },
      ScanIndexForward: false,
      Limit: query.limit - items.length,
      ExclusiveStartKey: startKey,
    });
    items.push(...out.items.map(auditFromItem));
    startKey = out.lastKey;
    if (!startKey || items.length >= query.limit) break;
  }
  return { items, ...(startKey ? { nextKey: startKey } : {}) };
}

const LOWEST = ' ';
const HIGHEST = '~';

function keyCondition(query: AuditQuery): { IndexName?: string; KeyConditionExpression: string } {
  const range = 'BETWEEN :from AND :to';
  if (query.accountId) return { KeyConditionExpression: `pk = :pk AND sk ${range}` };
  return { IndexName: auditIndex.name, KeyConditionExpression: `gsi1pk = :pk AND gsi1sk ${range}` };
}

function valuesOf(query: AuditQuery): Record<string, string> {
  const from = query.from ?? LOWEST;
  const to = `${query.to ?? HIGHEST}${HIGHEST}`;
  if (query.accountId) {
    return { ':pk': keys.auditPk(query.accountId), ':from': from, ':to': to };
  }
  return { ':pk': auditIndex.pk, ':from': from, ':to': to };
}
