// Opaque, tamper-proof pagination cursors: the position in the account's log, the account and
// the filters it was made for, signed with HMAC-SHA256. A forged, edited or borrowed cursor is
// refused with 400 and never reads another account's entries.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidRequest } from '../../core/errors.js';

interface CursorBody {
  a: string; // account
  k: string; // last key
  f: string; // filters the cursor belongs to
}

export function signCursor(secret: string, body: CursorBody): string {
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export function openCursor(secret: string, cursor: string, accountId: string, filters: string): string {
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined || cursor.length > 1024)
    throw new InvalidRequest('cursor is not valid');
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new InvalidRequest('cursor is not valid');
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CursorBody;
  if (body.a !== accountId || body.f !== filters) throw new InvalidRequest('cursor belongs to another query');
  return body.k;
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
