// An audit record (SPEC §14): one staff or service token's change, with who made it (the token's
// `sub` and scope), what it was done to, and what it was before and after. It is written in the
// same transaction as the change (ledger/audit.ts), as a new item that nothing updates or deletes:
// its put is conditioned on the key being new, and on AWS no role may touch it otherwise
// (infra/access.ts). How a record reads back is items/audit-read.ts: every staff operation writes
// one, only the audit log reads them.

import { auditIndex, keys } from '../table/keys.js';
import type { ItemWrite } from './fields.js';

/** Who made a change: the token's subject and its credits:* scopes, space-separated. */
export interface Actor {
  sub: string;
  scope: string;
}

/** An actor and when they acted: `approvals`, `rejectedBy`, `completedBy` on a withdrawal, `grantedBy` on a lot. */
export interface StaffMark extends Actor {
  at: string;
}

export const AUDIT_ACTIONS = [
  'withdrawal.approve',
  'withdrawal.reject',
  'withdrawal.complete',
  'grant.create',
  'allowance.set',
  'charge.refund',
  'webhook_endpoint.register',
  'webhook_endpoint.remove',
  'close_item.resolve',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What a record keeps of the subject before and after: a few named values, never a secret. */
export type AuditValues = Record<string, string | number | boolean | null | string[]>;

export interface AuditRecord {
  auditId: string;
  at: string;
  actor: string;
  scope: string;
  action: AuditAction;
  accountId: string;
  /** The id of what was changed: a withdrawal, a lot, a charge, an endpoint, the account. */
  subject: string;
  before?: AuditValues;
  after?: AuditValues;
}

const ITEM_TYPE = 'audit';

export const auditItems = {
  recorded(record: AuditRecord): ItemWrite {
    return {
      item: {
        Put: {
          Item: {
            ...keys.audit(record.accountId, record.at, record.auditId),
            itemType: ITEM_TYPE,
            ...record,
            gsi1pk: auditIndex.pk,
            gsi1sk: auditIndex.sk(record.at, record.auditId),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  },
};

/** Whether a planned write is an audit record, and whose: what the engine counts per staff operation. */
export function auditActorOf(write: ItemWrite): string | undefined {
  const put = 'Put' in write.item ? write.item.Put.Item : undefined;
  return put?.itemType === ITEM_TYPE ? String(put.actor) : undefined;
}
