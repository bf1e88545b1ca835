// The verifier's fast paths give the answers of the slow ones they replace: the entry's hand-written
// RFC 8785 text is canonicalJson's to the byte, an export line scanned in place reads as JSON.parse
// reads it, and an export read by worker threads gives the verdict of one read in this thread,
// breaks included.

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/proof/canonical.js';
import { linkOf } from '../core/proof/chain.js';
import { itemOfLine, parseLine, scanLine } from '../core/proof/export-lines.js';
import { bookFromExport } from '../core/proof/export-reader.js';
import { entryJcs, GENESIS_HASH } from '../core/proof/hashes.js';
import { VERIFIED_ATTRIBUTES } from '../core/proof/records.js';
import { exportLine } from '../core/proof/sources.js';
import { verify } from '../core/proof/verify.js';
import type { Item } from '../core/table/table.js';

/** Any text at all: lone surrogates, control characters, quotes, backslashes, braces. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', 'a', '\n', '\u0000', '\ud800', '€') }),
);

describe("the entry's RFC 8785 text", () => {
  it('is canonicalJson of the same preimage, to the byte, whatever its fields hold', () => {
    fc.assert(
      fc.property(
        fc.record({
          accountId: anyText,
          seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          prevHash: anyText,
          transactionId: anyText,
          type: anyText,
          amountMicros: anyText,
          balanceAfterMicros: anyText,
          createdAt: anyText,
          reference: anyText,
        }),
        (preimage) => entryJcs(preimage) === canonicalJson(preimage),
      ),
      { numRuns: 2_000 },
    );
  });
});

/** A DynamoDB attribute value of any type, nested lists and maps whose keys shadow the verified names. */
const attribute: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyText,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...VERIFIED_ATTRIBUTES), anyText), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const itemArbitrary = fc.dictionary(fc.oneof(fc.constantFrom(...VERIFIED_ATTRIBUTES), anyText), attribute, {
  maxKeys: 12,
});

describe('an export line scanned in place', () => {
  it('reads as JSON.parse reads it, every attribute or only the verified ones', () => {
    fc.assert(
      fc.property(itemArbitrary, (item: Item) => {
        const line = exportLine(item);
        const plainNames = Object.keys(item).every((name) => JSON.stringify(name) === `"${name}"`);
        // DynamoDB's own shape is scanned, never handed to JSON.parse, unless a name needs escaping.
        expect(scanLine(line) === undefined).toBe(!plainNames);
        expect(itemOfLine(line)).toEqual(parseLine(line));
        expect(itemOfLine(line, VERIFIED_ATTRIBUTES)).toEqual(parseLine(line, VERIFIED_ATTRIBUTES));
      }),
      { numRuns: 1_000 },
    );
  });

  it('hands any other JSON line to JSON.parse (spaces, escaped names), which reads the same', () => {
    fc.assert(
      fc.property(itemArbitrary, (item: Item) => {
        const line = exportLine(item);
        const spaced = JSON.stringify(JSON.parse(line), null, 1).replace(/\n/g, '');
        const escapedName = line.replace('{"Item":{"', '{"Item":{"\\u0070');
        for (const other of [spaced, escapedName]) {
          if (other === line) continue;
          expect(scanLine(other)).toBeUndefined();
          expect(() => parseLine(other)).not.toThrow();
        }
        expect(parseLine(spaced)).toEqual(parseLine(line));
      }),
      { numRuns: 300 },
    );
  });
});

describe('an export read by worker threads', () => {
  it('gives the verdict of one read in this thread, with the same breaks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-workers-'));
    await mkdir(join(dir, 'data'));
    const items: Item[] = [];
    for (let a = 0; a < 12; a += 1) items.push(...chain(`acct-${a}`, 6));
    // Breaks: an edited amount, a deleted entry, a forged seq, a truncated head.
    items.find((i) => i.pk === 'ACCT#acct-1' && i.seq === 3)!.amount = 999;
    items.splice(
      items.findIndex((i) => i.pk === 'ACCT#acct-2' && i.seq === 4),
      1,
    );
    items.find((i) => i.pk === 'ACCT#acct-3' && i.seq === 2)!.seq = 'two';
    items.find((i) => i.pk === 'ACCT#acct-4' && i.sk === 'ACCOUNT')!.headSeq = 9;
    // Spread over files so that one account's entries sit in several, out of order.
    const shuffled = items.map((item, n) => ({ item, key: (n * 7919) % 13 }));
    for (let f = 0; f < 4; f += 1) {
      const lines = shuffled.filter((s) => s.key % 4 === f).map((s) => exportLine(s.item));
      await writeFile(join(dir, 'data', `part-${f}.json.gz`), gzipSync(lines.join('\n')));
    }
    const here = verify(await bookFromExport(dir), []);
    const threads = verify(await bookFromExport(dir, { workers: 2 }), []);
    expect(threads).toEqual(here);
    expect(here.entries).toBe(12 * 6 - 1);
    expect(here.chainBreaks.map((b) => [b.accountId, b.seq])).toEqual([
      ['acct-1', 3],
      ['acct-2', 4],
      ['acct-3', 2],
      ['acct-4', 7],
    ]);
  }, 60_000);
});

/** An account item and `length` linked entries, as the engine stores them. */
function chain(accountId: string, length: number): Item[] {
  const items: Item[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const fields = {
      transactionId: `tx_${accountId}_${seq}`,
      type: 'usage',
      amount: -seq,
      balanceAfter: 100 - seq,
      createdAt: `2026-03-01T12:00:0${seq}.000Z`,
      reference: `ref "${seq}" \\`,
    };
    const link = linkOf(accountId, seq, prevHash, fields);
    items.push({ pk: `ACCT#${accountId}`, sk: `TX#0${seq}`, ...fields, ...link, lots: [{ amount: 1, hash: 'x' }] });
    prevHash = link.hash;
  }
  items.push({ pk: `ACCT#${accountId}`, sk: 'ACCOUNT', headSeq: length, headHash: prevHash });
  return items;
}
