// Checking a user's proof (SPEC §12) without trusting the API: recompute the leaf from the
// account's head and balance, fold the path up to the root of the day's Merkle sum tree, and
// compare root, total credit and the digest's own hash. Web Crypto only, from SPEC §12's formulas:
//
//   leaf   = hex(SHA-256("io-credits:leaf:v1\n"   + JCS({accountId, headSeq, headHash, balanceMicros, creditMicros})))
//   node   = hex(SHA-256("io-credits:node:v1\n"   + JCS({left, right, creditMicros})))   credit summed
//   digest = hex(SHA-256("io-credits:digest:v1\n" + JCS(digest)))
//
// JCS is RFC 8785: object keys sorted by UTF-16 code units, no whitespace, strings and numbers as
// ECMAScript's JSON.stringify writes them.

import { hex } from './webhooks.js';

type Micros = string | number;

export interface ProofLeaf {
  accountId: string;
  headSeq: number;
  headHash: string;
  balanceMicros: Micros;
  creditMicros: Micros;
}

export interface ProofStep {
  /** Where the sibling sits. */
  side: 'left' | 'right';
  hash: string;
  creditMicros: Micros;
}

export interface Digest {
  day: string;
  cutoff: string;
  accounts: number;
  root: string;
  creditMicros: Micros;
  prev: string | null;
  [field: string]: unknown;
}

export interface Proof {
  digest: Digest;
  digestHash: string;
  leaf: ProofLeaf;
  path: ProofStep[];
}

/**
 * The checks, in the order they are made: the proof's shape (integer figures, sides), the digest's
 * own hash, the leaf's credit against its balance, the path up to the root, the path's credit
 * against the digest's total.
 */
export const CHECKS = ['shape', 'digest', 'leaf', 'root', 'total'] as const;
export type ProofCheck = (typeof CHECKS)[number];

export type ProofVerification =
  | {
      valid: true;
      day: string;
      accountId: string;
      balanceMicros: bigint;
      totalCreditMicros: bigint;
      digestHash: string;
    }
  | { valid: false; check: ProofCheck; reason: string };

const INTEGER = /^-?\d+$/;

export async function verify(proof: Proof): Promise<ProofVerification> {
  const failed = (check: ProofCheck, reason: string): ProofVerification => ({ valid: false, check, reason });
  const malformed = shapeFault(proof);
  if (malformed) return failed('shape', malformed);
  const { digest, leaf } = proof;
  if ((await tagged('digest', digest)) !== proof.digestHash)
    return failed('digest', 'the digest does not hash to digestHash');
  const balance = BigInt(leaf.balanceMicros);
  const credit = BigInt(leaf.creditMicros);
  if (credit !== (balance > 0n ? balance : 0n))
    return failed('leaf', 'the leaf’s creditMicros is not max(0, balanceMicros)');
  let hash = await tagged('leaf', leaf);
  let sum = credit;
  for (const step of proof.path) {
    sum += BigInt(step.creditMicros);
    const creditMicros = sameKind(leaf.creditMicros, sum);
    hash =
      step.side === 'left'
        ? await tagged('node', { left: step.hash, right: hash, creditMicros })
        : await tagged('node', { left: hash, right: step.hash, creditMicros });
  }
  if (hash !== digest.root) return failed('root', 'the path does not lead to the digest’s root');
  if (sum !== BigInt(digest.creditMicros))
    return failed('total', 'the path’s credit does not add up to the digest’s creditMicros');
  return {
    valid: true,
    day: digest.day,
    accountId: leaf.accountId,
    balanceMicros: balance,
    totalCreditMicros: sum,
    digestHash: proof.digestHash,
  };
}

/** Why `proof` can not even be checked (a figure that is not an integer, a side that is neither), if it can not. */
function shapeFault(proof: Proof): string | undefined {
  const integer = (value: unknown) =>
    (typeof value === 'string' && INTEGER.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value));
  if (!proof || typeof proof !== 'object' || !proof.digest || !proof.leaf || !Array.isArray(proof.path))
    return 'the proof lacks its digest, leaf or path';
  // Credit is never negative: a sibling of negative credit would hide credit owed to others from
  // the published total while every real proof still added up.
  const credit = (value: unknown) => integer(value) && !String(value).startsWith('-');
  if (!integer(proof.leaf.balanceMicros) || ![proof.leaf.creditMicros, proof.digest.creditMicros].every(credit))
    return 'an amount is not an integer of micro-credits, or a credit is negative';
  for (const step of proof.path) {
    if (step.side !== 'left' && step.side !== 'right') return 'a path step’s side is neither left nor right';
    if (!credit(step.creditMicros) || typeof step.hash !== 'string')
      return 'a path step lacks its hash or a credit of zero or more';
  }
  return undefined;
}

/** A sum written as the figures it adds up were: a decimal string, or a number. */
function sameKind(sample: Micros, value: bigint): Micros {
  return typeof sample === 'string' ? value.toString() : Number(value);
}

async function tagged(kind: 'leaf' | 'node' | 'digest', value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(`io-credits:${kind}:v1\n${canonicalJson(value)}`);
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** RFC 8785 (JCS) for JSON values: sorted keys, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JCS has no representation for a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`JCS has no representation for ${typeof value}`);
}
