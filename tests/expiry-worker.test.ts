// The expiry worker Lambda as SQS invokes it: Powertools' batch processor runs each record, and
// only the records that failed come back as batchItemFailures, for SQS to redeliver.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getBalance } from '../core/ledger/queries.js';
import { createTableIfMissing } from '../core/table/create.js';
import { LedgerTable } from '../core/table/table.js';
import { DAY_MS } from '../core/time.js';
import { runtime } from '../functions/http/runtime.js';
import { c } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';
import { sqsEvent } from './support/sqs.js';

const env = { ...process.env };
const tableName = `expiry-worker-${process.pid}`;

beforeAll(async () => {
  await createTableIfMissing(new LedgerTable({ tableName, endpoint: inject('dynamoEndpoint') }));
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    AWS_REGION: 'us-east-1',
    IO_CREDITS_CLOCK: 'manual',
  });
});
afterAll(() => {
  process.env = env;
});

describe('the expiry worker Lambda', () => {
  it('expires each account in the batch and reports only the message that failed', async () => {
    const { handler } = await import('../functions/expiry-worker.js');
    const { ledger, manualClock } = runtime();
    await buyCredits(ledger, 'worker-a', c('10'));
    await buyCredits(ledger, 'worker-b', c('4'));
    manualClock?.advance(366 * DAY_MS);
    const response = await handler(
      sqsEvent(
        ['m-a', JSON.stringify({ accountId: 'worker-a' })],
        ['m-bad', '{"nothing": true}'],
        ['m-b', JSON.stringify({ accountId: 'worker-b' })],
      ),
      { awsRequestId: 'req-expiry', functionName: 'expiry-worker' } as never,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
    expect((await getBalance(ledger, 'worker-a')).lots).toEqual([]);
    expect((await getBalance(ledger, 'worker-b')).lots).toEqual([]);
  });
});
