// The audit log of staff actions (SPEC §14). An operation that a staff or service token makes
// carries its actor (attempt.ts `Operation.actor`); its plan records what it did with `recordAudit`,
// a write of its own draft, so the record commits in the same transaction as the change or not at
// all, and the engine refuses to commit a staff operation that wrote no record or two. Reading:
// every account's records newest first (gsi1), or one account's (its audit partition), by time, by actor.

import { assert } from '../assert.js';
import { Forbidden } from '../errors.js';
import {
  type Actor,
  type AuditAction,
  type AuditRecord,
  type AuditValues,
  auditFromItem,
  auditItems,
  type StaffMark,
} from '../items/audit.js';
import { auditIndex, keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import type { Draft } from './draft.js';
import type { Ledger } from './ledger.js';

export const MAX_AUDIT_PAGE = 100;
/** Pages one listing reads at most while an actor filter skips other staff's records. */
export const MAX_AUDIT_PAGES_READ = 10;

export interface AuditInput {
  action: AuditAction;
  subject: string;
  before?: AuditValues;
  after?: AuditValues;
}

/** Records, within `draft`'s transaction, what `actor` did to the draft's account. */
export function recordAudit(draft: Draft, actor: Actor, input: AuditInput): AuditRecord {
  assert(actor.sub !== '', 'an audited change names its actor');
  const record: AuditRecord = {
    auditId: draft.id('au'),
    at: draft.now,
    actor: actor.sub,
    scope: actor.scope,
    accountId: draft.accountId,
    ...input,
  };
  draft.write(auditItems.recorded(record));
  return record;
}

/**
 * Nobody moves money on their own account as staff (SPEC §14): approving, rejecting or completing
 * their own withdrawal, and (our rule, docs/data-model.md) granting themselves credit, raising
 * their own allowance or refunding their own charges. 403, before anything is read.
 */
export function refuseOwnAccount(actor: Actor | undefined, accountId: string, what: string): void {
  if (actor?.sub === accountId)
    throw new Forbidden(`${what} is on your own account: another member of staff must do it`);
}

/** The actor, stamped with the draft's time: what a changed item keeps (`approvals`, `grantedBy`, …). */
export function markOf(draft: Draft, actor: Actor): StaffMark {
  return { sub: actor.sub, scope: actor.scope, at: draft.now };
}

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
