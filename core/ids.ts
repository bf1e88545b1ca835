// Identifiers, made and recognised in one place: prefixed ULIDs, so ids sort by creation time and
// say what they name (`ch_` a charge, `lot_` a lot, ...), and the patterns of the ids that come
// from outside (an account's IO ID, a deployment's id). Time comes from the injected clock, never
// Date.now().

import { decodeTime, encodeTime, monotonicFactory } from 'ulid';
import { assert } from './assert.js';

const nextUlid = monotonicFactory();

export type IdPrefix = 'ch' | 'lot' | 'rf' | 'wd' | 'nt' | 'pu' | 'ev' | 'we' | 'dl' | 'in' | 'au';

/** Crockford's base32, 26 characters: a ULID. */
export const ULID_PATTERN = '[0-9A-HJKMNP-TV-Z]{26}';
/** An account: the IO ID, as the identity provider's `sub`. */
export const ACCOUNT_ID = /^[A-Za-z0-9_.:@|-]{1,128}$/;
/** A deployment, as the deployment system names it. */
export const DEPLOYMENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** A project a deployment belongs to (SPEC §10), as the deployment system names it. */
export const PROJECT_ID = DEPLOYMENT_ID;

export function newId(prefix: IdPrefix, nowMs: number): string {
  return `${prefix}_${nextUlid(nowMs)}`;
}

/** The pattern of an id with `prefix`. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_${ULID_PATTERN}$`);
}

export function isId(prefix: IdPrefix, text: unknown): text is string {
  return typeof text === 'string' && idPattern(prefix).test(text);
}

export function isAccountId(text: unknown): text is string {
  return typeof text === 'string' && ACCOUNT_ID.test(text);
}

/** The ULID of a prefixed id (`pu_01…` → `01…`). */
export function ulidOf(id: string): string {
  const at = id.indexOf('_');
  assert(at > 0 && new RegExp(`^${ULID_PATTERN}$`).test(id.slice(at + 1)), `not a prefixed id: ${id}`);
  return id.slice(at + 1);
}

/** When an id was made, in epoch milliseconds. */
export function timeOfId(id: string): number {
  return decodeTime(ulidOf(id));
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SEQUENCE_CHARS = 8; // 40 bits: a trillion ledger entries per account before it wraps.

/**
 * A ledger entry's id: a ULID whose time part is the entry's time and whose first random
 * characters are the account's commit sequence. Entries of one account therefore sort in the
 * order they were committed, even within one millisecond or across clocks that disagree.
 */
export function ledgerEntryUlid(atMs: number, sequence: number): string {
  assert(
    Number.isSafeInteger(sequence) && sequence >= 0 && sequence < 32 ** SEQUENCE_CHARS,
    `sequence out of range: ${sequence}`,
  );
  let encoded = '';
  let rest = sequence;
  for (let i = 0; i < SEQUENCE_CHARS; i += 1) {
    encoded = CROCKFORD[rest % 32] + encoded;
    rest = Math.floor(rest / 32);
  }
  const suffix = nextUlid(atMs).slice(-8);
  return `${encodeTime(atMs, 10)}${encoded}${suffix}`;
}

/** The smallest and largest ULID strings of a millisecond, for time-range key conditions. */
export function ulidBounds(fromMs: number, toMs: number): { low: string; high: string } {
  return { low: `${encodeTime(fromMs, 10)}${'0'.repeat(16)}`, high: `${encodeTime(toMs, 10)}${'Z'.repeat(16)}` };
}
