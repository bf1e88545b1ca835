// RFC 8785 (JSON Canonicalization Scheme) for the values the proofs hash: objects, arrays,
// strings, safe integers, booleans and null. Keys are sorted by their UTF-16 code units (what
// Array.prototype.sort does to strings), nothing is left between tokens, and strings and numbers
// are serialised as ECMAScript's JSON.stringify does, which is how RFC 8785 §3.2.2 defines them.
// A float never reaches a hash: amounts are integer micro-credits written as decimal strings.

import { AssertionError, isRecord } from '../assert.js';

export type Canonical = string | number | boolean | null | readonly Canonical[] | { readonly [key: string]: Canonical };

/** The RFC 8785 text of `value`. */
export function canonicalJson(value: Canonical): string {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new AssertionError(`only safe integers are hashed, not ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: Canonical) => canonicalJson(v)).join(',')}]`;
  if (!isRecord(value)) throw new AssertionError(`cannot canonicalise ${typeof value}`);
  const members = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Canonical)}`);
  return `{${members.join(',')}}`;
}
