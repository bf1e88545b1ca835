// The ledger against its reference model (tests/support/model.ts), half b of the runs: the
// two halves run in parallel, each with its own seed. This half keeps at most three lots on the
// account item and refuses promotional grants at five live lots, so almost every sequence moves
// lots to and from overflow items and meets the lot cap; the model knows nothing of either.

import { describe, expect, it } from 'vitest';
import { MAX_STEPS, MIN_STEPS, modelRuns, runModel } from './support/model-run.js';

const RUNS = modelRuns(50);

describe('the ledger agrees with its reference model (b)', () => {
  it(`over ${RUNS} random sequences of ${MIN_STEPS}–${MAX_STEPS} operations`, { timeout: 900_000 }, async () => {
    const { overflowItemsSeen } = await runModel(RUNS, 'model-b', {
      lotLayout: { max: 3, target: 2, min: 1 },
      maxLotsForGrants: 5,
    });
    expect(overflowItemsSeen, 'the runs reached overflow lots').toBeGreaterThan(1);
  });
});
