// The record that makes a request take effect once: the request's fingerprint and its first
// response, kept under the account by scope and key, written in the same transaction as the
// request's effect. Client keys live for the configured TTL; provider events and purchases forever.

import * as z from 'zod';
import { keys } from '../table/keys.js';
import { TTL_ATTRIBUTE } from '../table/schema.js';
import type { Item } from '../table/table.js';
import { type ItemWrite, readItem } from './fields.js';

export interface Idempotency {
  /** The operation the key belongs to; the same key may be used once per scope. */
  scope: string;
  key: string;
  /** A digest of the request (ledger.fingerprint); the same key with another request is refused. */
  fingerprint: string;
  /** Provider events and purchases are remembered forever, client keys for the configured TTL. */
  permanent?: boolean;
}

export interface IdempotencyRecord {
  fingerprint: string;
  response: string;
  /** Epoch seconds after which the key may be used again; absent: never. */
  ttl?: number;
}

const keyIsUnused = 'attribute_not_exists(pk)';
const keyHasExpired = '#ttl < :nowSeconds';

export function idempotencyItem(
  accountId: string,
  idem: Idempotency,
  nowMs: number,
  ttlMs: number,
  response: unknown,
): Item {
  return {
    ...keys.idempotency(accountId, idem.scope, idem.key),
    itemType: 'idempotency',
    fingerprint: idem.fingerprint,
    response: JSON.stringify(response),
    createdAt: new Date(nowMs).toISOString(),
    ...(idem.permanent ? {} : { [TTL_ATTRIBUTE]: Math.floor((nowMs + ttlMs) / 1000) }),
  };
}

/**
 * The record of a new request: written only if the key is unused or expired; a failed condition
 * returns the existing record (ALL_OLD), so a replay needs no second read.
 */
export function idempotencyPut(
  accountId: string,
  idem: Idempotency,
  nowMs: number,
  ttlMs: number,
  response: unknown,
): ItemWrite {
  return {
    item: {
      Put: {
        Item: idempotencyItem(accountId, idem, nowMs, ttlMs, response),
        ConditionExpression: `${keyIsUnused} OR ${keyHasExpired}`,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':nowSeconds': Math.floor(nowMs / 1000) },
      },
    },
  };
}

const shape = z.object({ fingerprint: z.string(), response: z.string(), [TTL_ATTRIBUTE]: z.number().optional() });

export function idempotencyRecordFromItem(item: Item): IdempotencyRecord {
  const read = readItem('idempotency record', shape, item);
  return {
    fingerprint: read.fingerprint,
    response: read.response,
    ...(read[TTL_ATTRIBUTE] === undefined ? {} : { ttl: read[TTL_ATTRIBUTE] }),
  };
}

/** Whether a stored record still holds its key at `nowMs`. */
export function isLive(record: IdempotencyRecord, nowMs: number): boolean {
  return record.ttl === undefined || record.ttl >= Math.floor(nowMs / 1000);
}
