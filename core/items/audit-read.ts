// How an audit record (items/audit.ts) and a staff mark on a changed item read back, checked against
// their schemas: for the audit log and the items that keep who acted, apart from the writer every
// staff operation carries.

import * as z from 'zod';
import type { Item } from '../table/table.js';
import { AUDIT_ACTIONS, type AuditRecord } from './audit.js';
import { isoField, readItem } from './fields.js';

const value = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);

const shape = z.object({
  auditId: z.string(),
  at: isoField,
  actor: z.string().min(1),
  scope: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  accountId: z.string(),
  subject: z.string(),
  before: z.record(z.string(), value).optional(),
  after: z.record(z.string(), value).optional(),
});

export function auditFromItem(item: Item): AuditRecord {
  const { before, after, ...record } = readItem('audit record', shape, item);
  return { ...record, ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

export const staffMarkField = z.object({ sub: z.string().min(1), scope: z.string(), at: isoField });
