// No request waits without bound on a busy account (issue: hot accounts): an operation that keeps
// losing the account item to other writers gives up after `maxWaitMs` with ContentionExhausted,
// answered 503 with Retry-After, having applied nothing; a retry with the same Idempotency-Key is
// then applied exactly once.

import { describe, expect, inject, it } from 'vitest';
import { ContentionExhausted, charge, Ledger, LedgerTable } from '../core/index.js';
import { problemFrom, problemResponse } from '../functions/http/problem.js';
import { c, expectInvariants, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

describe('bounded waiting', () => {
  it('past its time limit a charge gives up with nothing applied; its retry is applied once', async () => {
    const { ledger, table } = await newLedger();
    await buyCredits(ledger, 'hot-1', c('1000'));
    // 24 writers that share nothing (each its own table client and queue), with a 30 ms limit.
    const writers = Array.from(
      { length: 24 },
      () =>
        new Ledger(new LedgerTable({ tableName: table.name, endpoint: inject('dynamoEndpoint') }), ledger.clock, {
          ...ledger.config,
          maxWaitMs: 30,
        }),
    );
    const keyOf = (i: number) => `hot-1-charge-${i}`;
    const outcomes = await Promise.all(
      writers.map((writer, i) =>
        charge(writer, { accountId: 'hot-1', deploymentId: `d${i}`, amount: c('1'), idempotencyKey: keyOf(i) }).then(
          () => 'paid' as const,
          (error: unknown) => {
            expect(error).toBeInstanceOf(ContentionExhausted);
            return 'busy' as const;
          },
        ),
      ),
    );
    const busy = outcomes.flatMap((o, i) => (o === 'busy' ? [i] : []));
    expect(busy.length).toBeGreaterThan(0);
    const paidFirst = outcomes.length - busy.length;
    let snapshot = await expectInvariants(ledger, 'hot-1');
    expect(snapshot.charges).toHaveLength(paidFirst);

    // The retries, one at a time, with the same keys: each applied once.
    for (const i of busy)
      await charge(ledger, { accountId: 'hot-1', deploymentId: `d${i}`, amount: c('1'), idempotencyKey: keyOf(i) });
    snapshot = await expectInvariants(ledger, 'hot-1');
    expect(snapshot.charges).toHaveLength(24);
    expect(writers.reduce((n, w) => n + w.stats.exhausted, 0)).toBe(busy.length);
  });

  it('is answered 503 with Retry-After and the code busy', () => {
    const busy = new ContentionExhausted('too busy');
    const response = problemResponse(problemFrom(busy, '/credits/charges'), busy);
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '1', 'content-type': 'application/problem+json' });
    expect(JSON.parse(String(response.body))).toMatchObject({ status: 503, code: 'busy', title: 'Busy' });
  });
});
