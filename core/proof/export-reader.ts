// The verifier's second source (SPEC §12): a DynamoDB export, its `data/*.json.gz` files of
// DynamoDB JSON lines (`{"Item": {...}}`), into a Book. Files are read in this thread (straight into
// the book), or spread over it and worker threads (export-worker.ts), each reading, scanning and
// hashing whole files into their heads and entries in columns, the entries with their own hash
// already checked (StoredEntry's `ownHashHolds`); the book is filled in file order either way, so
// the verdict is the same.
//
//   files (sorted) ─► [this thread | worker 1 | …] ─► FileBatch per file ─► Book, in file order

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { assert } from '../assert.js';
import { preimageOf } from './chain.js';
import { forEachLine, itemOfLine } from './export-lines.js';
import { entryHash } from './hashes.js';
import { addItem, recordOf, VERIFIED_ATTRIBUTES } from './records.js';
import { Book } from './verify.js';

/** Files of an export read at most. */
export const MAX_EXPORT_FILES = 100_000;
/** Worker threads at most (an export is read on one machine). */
export const MAX_WORKERS = 16;

/** One file's heads and entries, in columns (cheap to pass between threads). */
export interface FileBatch {
  heads: { accountId: string[]; headSeq: unknown[]; headHash: unknown[] };
  entries: {
    accountId: string[];
    sk: string[];
    seq: unknown[];
    prevHash: unknown[];
    hash: unknown[];
    createdAt: string[];
    balanceAfter: string[];
    ownHashHolds: boolean[];
  };
}

/** Reads the export in `dir` (and every folder under it) with `workers` threads (1: this one only). */
export async function bookFromExport(dir: string, options: { workers?: number } = {}): Promise<Book> {
  const files = (await readdir(dir, { recursive: true }))
    .filter((f) => /\.json(\.gz)?$/.test(f) && !/manifest-(summary|files)\.json$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  assert(files.length <= MAX_EXPORT_FILES, `${files.length} export files are over the limit`);
  const workers = Math.min(options.workers ?? 1, MAX_WORKERS, files.length);
  if (workers <= 1) return inThisThread(files);
  const book = new Book();
  for (const batch of await inWorkers(files, workers)) addBatch(book, batch);
  return book;
}

/** Every file read here, straight into the book: each entry hashed as the walk reaches it. */
async function inThisThread(files: readonly string[]): Promise<Book> {
  const book = new Book();
  for (const file of files) await forEachLine(file, (line) => addItem(book, itemOfLine(line, VERIFIED_ATTRIBUTES)));
  return book;
}

/** A file's heads and entries, each entry's own hash checked. */
export async function readFileBatch(file: string): Promise<FileBatch> {
  const batch: FileBatch = {
    heads: { accountId: [], headSeq: [], headHash: [] },
    entries: {
      accountId: [],
      sk: [],
      seq: [],
      prevHash: [],
      hash: [],
      createdAt: [],
      balanceAfter: [],
      ownHashHolds: [],
    },
  };
  await forEachLine(file, (line) => {
    const record = recordOf(itemOfLine(line, VERIFIED_ATTRIBUTES));
    if (record?.kind === 'head') {
      batch.heads.accountId.push(record.accountId);
      batch.heads.headSeq.push(record.head.headSeq);
      batch.heads.headHash.push(record.head.headHash);
    } else if (record?.kind === 'entry' && record.entry.ownHashHolds === undefined) {
      const { accountId, entry } = record;
      const { seq, prevHash } = entry;
      const e = batch.entries;
      e.accountId.push(accountId);
      e.sk.push(entry.sk);
      e.seq.push(seq);
      e.prevHash.push(prevHash);
      e.hash.push(entry.hash);
      e.createdAt.push(entry.createdAt);
      e.balanceAfter.push(String(entry.balanceAfter));
      // Only an entry with a valid seq and prevHash is ever hashed by the walk; for the others the
      // answer is never read.
      const hashable = typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1 && typeof prevHash === 'string';
      e.ownHashHolds.push(hashable && entry.hash === entryHash(preimageOf(accountId, seq, prevHash, entry)));
    }
  });
  return batch;
}

function addBatch(book: Book, batch: FileBatch): void {
  const { heads, entries: e } = batch;
  for (let i = 0; i < heads.accountId.length; i += 1)
    book.addHead(heads.accountId[i]!, { headSeq: heads.headSeq[i], headHash: heads.headHash[i] });
  for (let i = 0; i < e.accountId.length; i += 1)
    book.addEntry(e.accountId[i]!, {
      sk: e.sk[i]!,
      seq: e.seq[i],
      prevHash: e.prevHash[i],
      hash: e.hash[i],
      createdAt: e.createdAt[i]!,
      balanceAfter: BigInt(e.balanceAfter[i]!),
      ownHashHolds: e.ownHashHolds[i]!,
    });
}

/** Each file read by this thread or one of `count` − 1 worker threads, answered in the files' order. */
async function inWorkers(files: readonly string[], count: number): Promise<FileBatch[]> {
  const batches: FileBatch[] = new Array(files.length);
  let next = 0;
  const url = new URL(`./export-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  // Run from TypeScript (tsx, vitest), the worker needs the same loader.
  const execArgv = url.pathname.endsWith('.ts') ? [...process.execArgv, '--import', 'tsx'] : process.execArgv;
  const inWorker = async () => {
    const worker = new Worker(url, { execArgv });
    try {
      for (let at = next++; at < files.length; at = next++) batches[at] = await ask(worker, files[at]!);
    } finally {
      await worker.terminate();
    }
  };
  // This thread reads too: its batches need no copying between threads.
  const here = async () => {
    for (let at = next++; at < files.length; at = next++) batches[at] = await readFileBatch(files[at]!);
  };
  await Promise.all([here(), ...Array.from({ length: count - 1 }, inWorker)]);
  return batches;
}

function ask(worker: Worker, file: string): Promise<FileBatch> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', reject);
    };
    const onMessage = (answer: { batch?: FileBatch; error?: string }) => {
      done();
      if (answer.batch) resolve(answer.batch);
      else reject(new Error(`${file}: ${answer.error ?? 'the worker answered nothing'}`));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage(file);
  });
}
