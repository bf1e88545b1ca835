// The audit log of staff actions (SPEC §14). An operation that a staff or service token makes
// carries its actor (attempt.ts `Operation.actor`); its plan records what it did with `recordAudit`,
// a write of its own draft, so the record commits in the same transaction as the change or not at
// all, and the engine refuses to commit a staff operation that wrote no record or two. Reading the
// log is audit-log.ts: every staff operation records, only the admin routes list records.

import { assert } from '../assert.js';
import { Forbidden } from '../errors.js';
import {
  type Actor,
  type AuditAction,
  type AuditRecord,
  type AuditValues,
  auditItems,
  type StaffMark,
} from '../items/audit.js';
import type { Draft } from './draft.js';

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
