// The Merkle sum tree of a day's leaves (SPEC §12): RFC 6962's shape (a list of n > 1 leaves is
// split at the largest power of two below n), each node committing to its children's hashes and to
// the sum of their credit, so the root commits to the total credit owed to users. A proof is
// RFC 6962's audit path from the leaf up, each step naming the side its sibling sits on.
//
//            root (credit a+b+c)
//            /              \
//     node (a+b)          leaf c        path of leaf a: [{side: right, b}, {side: right, node c}]
//      /      \
//   leaf a   leaf b

import { createHash } from 'node:crypto';
import { assert } from '../assert.js';
import { type Leaf, leafHash, nodeHash } from './hashes.js';

export interface SumNode {
  hash: string;
  creditMicros: bigint;
}

export interface PathStep {
  side: 'left' | 'right';
  hash: string;
  creditMicros: string;
}

/** The root of no leaves at all: RFC 6962's hash of the empty string, with no credit. */
export const EMPTY_ROOT: SumNode = { hash: createHash('sha256').digest('hex'), creditMicros: 0n };

/** A tree over at most this many leaves (a depth of 2^25 stays far from any stack limit). */
export const MAX_LEAVES = 2 ** 25;

export function leafNode(leaf: Leaf): SumNode {
  return { hash: leafHash(leaf), creditMicros: BigInt(leaf.creditMicros) };
}

export function parentOf(left: SumNode, right: SumNode): SumNode {
  const creditMicros = left.creditMicros + right.creditMicros;
  return { hash: nodeHash({ left: left.hash, right: right.hash, creditMicros: String(creditMicros) }), creditMicros };
}

/** The root over `nodes` (the leaves' nodes, sorted by account id). */
export function rootOf(nodes: readonly SumNode[]): SumNode {
  assert(nodes.length <= MAX_LEAVES, `a tree of ${nodes.length} leaves is over the limit`);
  return nodes.length === 0 ? EMPTY_ROOT : subtree(nodes, 0, nodes.length);
}

/** RFC 6962's PATH(index, nodes): the siblings from the leaf up to the root. */
export function pathOf(nodes: readonly SumNode[], index: number): PathStep[] {
  assert(index >= 0 && index < nodes.length, `leaf ${index} is not among ${nodes.length}`);
  const steps: PathStep[] = [];
  let from = 0;
  let to = nodes.length;
  // Walk down from the root, recording each sibling, then answer them leaf first.
  while (to - from > 1) {
    const split = from + largestPowerOfTwoBelow(to - from);
    if (index < split) {
      steps.push(stepOf('right', subtree(nodes, split, to)));
      to = split;
    } else {
      steps.push(stepOf('left', subtree(nodes, from, split)));
      from = split;
    }
  }
  return steps.reverse();
}

/** The root a leaf's path leads to. */
export function rootFromPath(leaf: SumNode, path: readonly PathStep[]): SumNode {
  let node = leaf;
  for (const step of path) {
    const sibling = { hash: step.hash, creditMicros: BigInt(step.creditMicros) };
    node = step.side === 'left' ? parentOf(sibling, node) : parentOf(node, sibling);
  }
  return node;
}

function subtree(nodes: readonly SumNode[], from: number, to: number): SumNode {
  if (to - from === 1) return nodes[from]!;
  const split = from + largestPowerOfTwoBelow(to - from);
  return parentOf(subtree(nodes, from, split), subtree(nodes, split, to));
}

function stepOf(side: PathStep['side'], node: SumNode): PathStep {
  return { side, hash: node.hash, creditMicros: String(node.creditMicros) };
}

/** The largest power of two strictly below n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  assert(n >= 2, `no split of ${n} leaves`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
