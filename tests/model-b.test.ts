// The ledger against its reference model (tests/support/model.ts), half b of the runs: the
// two halves run in parallel, each with its own seed.

import { describe, it } from 'vitest';
import { MAX_STEPS, MIN_STEPS, modelRuns, runModel } from './support/model-run.js';

const RUNS = modelRuns(50);

describe('the ledger agrees with its reference model (b)', () => {
  it(`over ${RUNS} random sequences of ${MIN_STEPS}–${MAX_STEPS} operations`, { timeout: 900_000 }, async () => {
    await runModel(RUNS, 'model-b');
  });
});
