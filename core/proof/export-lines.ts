// Reading a DynamoDB export fast (SPEC §12, the verifier): its `data/*.json.gz` files are streamed
// through gunzip and split into lines, and each line `{"Item":{"name":{"S":"…"},…}}` is scanned for
// its top-level string and number attributes without building the rest (lists and maps are skipped
// over, not parsed). Most of the verifier's time went to JSON.parse and the garbage of whole items.
//
// The scan accepts exactly the shape DynamoDB writes (no whitespace, every attribute an object of
// one type); any other line is read by JSON.parse instead, so for any JSON line the answer does not
// depend on which path read it (a property test holds the two equal). What it skips it does not
// validate: a line broken inside a list or map, or with a raw control character in a string, is
// read where JSON.parse would refuse it; the attributes the verifier checks are read either way.

import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { assert, isRecord } from '../assert.js';
import type { Item } from '../table/table.js';

/** Lines of one export file, at most (a DynamoDB export file holds far fewer). */
export const MAX_LINES_PER_FILE = 100_000_000;

/** Number attributes kept as their decimal text (amounts: integers that may exceed 2^53 in a forged export). */
const TEXT_NUMBERS = new Set(['amount', 'balanceAfter']);

/** Calls `visit` with each non-empty line of `file` (gunzipped when it ends in .gz), in order. */
export async function forEachLine(file: string, visit: (line: string) => void): Promise<void> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = file.endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  stream.setEncoding('utf8');
  let rest = '';
  let lines = 0;
  for await (const chunk of stream) {
    let from = 0;
    const text = rest + String(chunk);
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
      if (end > from) visit(text.slice(from, end));
      from = end + 1;
      lines += 1;
    }
    rest = text.slice(from);
    assert(lines <= MAX_LINES_PER_FILE, `${file} has more than ${MAX_LINES_PER_FILE} lines`);
  }
  if (rest.length > 0) visit(rest);
}

/**
 * One export line's top-level string and number attributes (numbers as numbers, amounts as text),
 * only those named in `only` when given.
 */
export function itemOfLine(line: string, only?: ReadonlySet<string>): Item {
  return scanLine(line, only) ?? parseLine(line, only);
}

/** The same as itemOfLine, by JSON.parse: for any line the scan does not take. */
export function parseLine(line: string, only?: ReadonlySet<string>): Item {
  const parsed: unknown = JSON.parse(line);
  assert(isRecord(parsed) && isRecord(parsed.Item), 'an export line holds an Item');
  const item: Item = {};
  for (const [name, value] of Object.entries(parsed.Item)) {
    if (!isRecord(value) || (only && !only.has(name))) continue;
    if (typeof value.S === 'string') item[name] = value.S;
    else if (typeof value.N === 'string') item[name] = TEXT_NUMBERS.has(name) ? value.N : Number(value.N);
  }
  return item;
}

const PREFIX = '{"Item":{';
const QUOTE = 34;
const BACKSLASH = 92;

/** The attributes of a line in DynamoDB's own shape, or undefined for parseLine to read it. */
export function scanLine(line: string, only?: ReadonlySet<string>): Item | undefined {
  if (!line.startsWith(PREFIX)) return undefined;
  const item: Item = {};
  let at = PREFIX.length;
  if (line.startsWith('}}', at)) return at + 2 === line.length ? item : undefined;
  for (;;) {
    if (line.charCodeAt(at) !== QUOTE) return undefined;
    const nameEnd = line.indexOf('"', at + 1);
    if (nameEnd === -1 || hasBackslash(line, at + 1, nameEnd)) return undefined;
    if (!line.startsWith(':{"', nameEnd + 1)) return undefined;
    const name = only ? wantedName(line, at + 1, nameEnd, only) : line.slice(at + 1, nameEnd);
    const after = scanAttribute(line, nameEnd + 4, name, item);
    if (after === -1) return undefined;
    if (line.charCodeAt(after) === 44 /* , */) {
      at = after + 1;
      continue;
    }
    return line.startsWith('}}', after) && after + 2 === line.length ? item : undefined;
  }
}

/**
 * Reads the attribute whose type tag starts at `at` (`S":"…"}`, `N":"…"}`, or any other, skipped;
 * every one skipped when `name` is undefined); answers the index after its closing brace, -1 when
 * the shape is not DynamoDB's.
 */
function scanAttribute(line: string, at: number, name: string | undefined, item: Item): number {
  const tagEnd = line.indexOf('"', at);
  if (tagEnd === -1 || !line.startsWith('":', tagEnd)) return -1;
  const tag = line.slice(at, tagEnd);
  const valueAt = tagEnd + 2;
  if (tag === 'S' || tag === 'N') {
    const end = stringEnd(line, valueAt);
    if (end === -1 || line.charCodeAt(end + 1) !== 125 /* } */) return -1;
    if (name === undefined) return end + 2;
    const text = unquoted(line, valueAt, end);
    if (text === undefined) return -1;
    if (tag === 'S') item[name] = text;
    else item[name] = TEXT_NUMBERS.has(name) ? text : Number(text);
    return end + 2;
  }
  const end = valueEnd(line, valueAt);
  return end === -1 || line.charCodeAt(end) !== 125 ? -1 : end + 1;
}

const byLength = new WeakMap<ReadonlySet<string>, string[][]>();

/** The name in `only` that the line holds from `from` to `to`, if any: compared in place, no string made. */
function wantedName(line: string, from: number, to: number, only: ReadonlySet<string>): string | undefined {
  let lists = byLength.get(only);
  if (!lists) {
    lists = [];
    for (const name of only) (lists[name.length] ??= []).push(name);
    byLength.set(only, lists);
  }
  for (const name of lists[to - from] ?? []) if (line.startsWith(name, from)) return name;
  return undefined;
}

function hasBackslash(line: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) if (line.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

/** The index of the closing quote of the JSON string opening at `at`, or -1. */
function stringEnd(line: string, at: number): number {
  if (line.charCodeAt(at) !== QUOTE) return -1;
  let i = at + 1;
  for (;;) {
    const quote = line.indexOf('"', i);
    if (quote === -1) return -1;
    let slashes = 0;
    while (line.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes += 1;
    if (slashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/** The text of the JSON string from `open` to `close` (its quotes), escapes decoded by JSON.parse. */
function unquoted(line: string, open: number, close: number): string | undefined {
  const raw = line.slice(open + 1, close);
  if (raw.indexOf('\\') === -1) return raw;
  try {
    const text: unknown = JSON.parse(line.slice(open, close + 1));
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The index just after the JSON value (a string, a list or map, a literal) starting at `at`, or -1. */
function valueEnd(line: string, at: number): number {
  const first = line.charCodeAt(at);
  if (first === QUOTE) {
    const end = stringEnd(line, at);
    return end === -1 ? -1 : end + 1;
  }
  if (first !== 123 /* { */ && first !== 91 /* [ */) {
    // true, false, null (BOOL, NULL): up to the attribute's closing brace.
    const end = line.indexOf('}', at);
    return end === -1 ? -1 : end;
  }
  let depth = 0;
  for (let i = at; i < line.length; i += 1) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(line, i);
      if (i === -1) return -1;
    } else if (c === 123 || c === 91) depth += 1;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
  }
  return -1;
}
