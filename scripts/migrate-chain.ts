// `npm run migrate-chain -- [--table NAME] [--endpoint URL]`: chains the history of every account
// written before the hash chain began (core/proof/migrate.ts). Safe to stop and run again. Run it
// with an operator's credentials: no function's role may update a ledger entry.

import { parseArgs } from 'node:util';
import { migrateChains } from '../core/proof/migrate.js';
import { LedgerTable } from '../core/table/table.js';

const { values } = parseArgs({
  options: {
    table: { type: 'string', default: process.env.TABLE_NAME ?? 'io-credits' },
    endpoint: { type: 'string', default: process.env.DYNAMODB_ENDPOINT },
  },
});

const report = await migrateChains(new LedgerTable({ tableName: values.table, endpoint: values.endpoint }));
process.stdout.write(`chained ${report.accounts} accounts, linked ${report.entriesLinked} entries\n`);
for (const r of report.refused) process.stdout.write(`REFUSED ${r.accountId}: ${r.reason}\n`);
process.exit(report.refused.length === 0 ? 0 : 1);
