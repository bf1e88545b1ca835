// `npm run verify-ledger -- [--export DIR [--workers N]] [--digests DIR] [--table NAME] [--endpoint URL]`:
// recomputes every account's hash chain from seq 1 and every published digest (SPEC §12), from the
// table (a Scan; `--endpoint` for DynamoDB Local, else AWS with the usual credentials) or from a
// DynamoDB export in DIR (its files read by N worker threads; default 1, this thread), and the
// digests in `--digests` (default .data/digests). Prints what it checked and each first break;
// exits 1 when anything is broken.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalDigestStore } from '../core/close/store.js';
import { bookFromExport } from '../core/proof/export-reader.js';
import { bookFromTable } from '../core/proof/sources.js';
import { verify } from '../core/proof/verify.js';
import { LedgerTable } from '../core/table/table.js';

const { values } = parseArgs({
  options: {
    export: { type: 'string' },
    workers: { type: 'string', default: '1' },
    digests: { type: 'string', default: resolve('.data', 'digests') },
    table: { type: 'string', default: process.env.TABLE_NAME ?? 'io-credits' },
    endpoint: { type: 'string', default: process.env.DYNAMODB_ENDPOINT },
  },
});

const workers = Number(values.workers);
if (!Number.isInteger(workers) || workers < 1) {
  process.stderr.write(`--workers ${values.workers}: a whole number of threads, 1 or more\n`);
  process.exit(2);
}

const startedMs = performance.now();
const book = values.export
  ? await bookFromExport(values.export, { workers })
  : await bookFromTable(new LedgerTable({ tableName: values.table, endpoint: values.endpoint }));
const readMs = performance.now() - startedMs;
const verdict = verify(book, await new LocalDigestStore(values.digests).all());
const seconds = (performance.now() - startedMs) / 1000;

const source = values.export ? `export ${values.export}` : `table ${values.table}`;
process.stdout.write(
  `${source}: ${verdict.accounts} accounts, ${verdict.entries} entries, ${verdict.digests} digests ` +
    `in ${seconds.toFixed(2)} s (read ${(readMs / 1000).toFixed(2)} s, ` +
    `${Math.round(verdict.entries / seconds).toLocaleString('en-US')} entries/s)\n`,
);
for (const b of verdict.chainBreaks) process.stdout.write(`BROKEN chain ${b.accountId} at seq ${b.seq}: ${b.reason}\n`);
for (const b of verdict.digestBreaks) process.stdout.write(`BROKEN digest ${b.day}: ${b.reason}\n`);
const broken = verdict.chainBreaks.length + verdict.digestBreaks.length;
process.stdout.write(broken === 0 ? 'every chain and digest holds\n' : `${broken} breaks\n`);
process.exit(broken === 0 ? 0 : 1);
