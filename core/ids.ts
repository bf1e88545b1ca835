// Identifiers: prefixed ULIDs, so ids sort by creation time and say what they name
// (`ch_` a charge, `lot_` a lot, ...). Time comes from the injected clock, never Date.now().

import { encodeTime, monotonicFactory } from 'ulid';
import { assert } from './assert.js';

const nextUlid = monotonicFactory();

export type IdPrefix = 'ch' | 'lot' | 'rf' | 'wd' | 'nt' | 'pu';

export function newId(prefix: IdPrefix, nowMs: number): string {
  return `${prefix}_${nextUlid(nowMs)}`;
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
