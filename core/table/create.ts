// Creating the table where it does not exist yet: DynamoDB Local for `npm start`, the tests and the
// benchmarks (on AWS the CDK creates it, infra/table.ts). A table kept from an older version (`npm
// start` keeps .data/) gets the indexes it lacks. No Lambda function carries this.

import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from './schema.js';
import type { LedgerTable } from './table.js';

/** Polls for the table and its indexes to be active, at most this many times, 100 ms apart. */
const ACTIVE_POLLS = 50;

export async function createTableIfMissing(table: LedgerTable): Promise<void> {
  const raw = table.client;
  try {
    await raw.send(new CreateTableCommand(tableDefinition(table.name)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(table);
  const wanted = tableDefinition(table.name);
  const described = await raw.send(new DescribeTableCommand({ TableName: table.name }));
  const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    const attributes = new Set(index.KeySchema?.map((key) => key.AttributeName));
    await raw.send(
      new UpdateTableCommand({
        TableName: table.name,
        AttributeDefinitions: wanted.AttributeDefinitions?.filter((a) => attributes.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: index.IndexName!, KeySchema: index.KeySchema!, Projection: index.Projection! } },
        ],
      }),
    );
    await waitUntilActive(table);
  }
}

async function waitUntilActive(table: LedgerTable): Promise<void> {
  for (let attempt = 0; attempt < ACTIVE_POLLS; attempt += 1) {
    const described = await table.client.send(new DescribeTableCommand({ TableName: table.name }));
    const indexesActive = (described.Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (described.Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${table.name} did not become active`);
}
