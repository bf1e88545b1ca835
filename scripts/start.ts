// `npm start`: the ledger's local database. Starts DynamoDB Local (data kept in .data/ between
// runs, or in memory with --memory), creates the table, prints where it listens, and stops
// cleanly, JVM included, on Ctrl-C.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { LedgerTable } from '../core/index.js';
import { startDynamoDbLocal } from './dynamodb-local.js';

const TABLE_NAME = process.env.TABLE_NAME ?? 'io-credits';
const inMemory = process.argv.includes('--memory');
const dbPath = resolve('.data', 'dynamodb');
const dynamoPort = process.env.DYNAMODB_PORT ? Number(process.env.DYNAMODB_PORT) : undefined;

if (!inMemory) mkdirSync(dbPath, { recursive: true });
const local = await startDynamoDbLocal({ ...(inMemory ? {} : { dbPath }), ...(dynamoPort ? { port: dynamoPort } : {}) });
const table = new LedgerTable({ tableName: TABLE_NAME, endpoint: local.endpoint });
await table.createIfMissing();
process.stdout.write(
  [
    `DynamoDB Local listening on ${local.endpoint} (${inMemory ? 'in memory' : `data in ${dbPath}`})`,
    `table ${TABLE_NAME} is ready`,
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping DynamoDB Local…\n');
  await local.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
