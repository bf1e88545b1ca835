// Runs the model-based property: random sequences of ledger operations (repeated idempotency
// keys, clock jumps past expiry dates and grace deadlines included) on DynamoDB Local and on the
// reference model, which must agree after every step while SPEC §3's invariants hold.

import fc from 'fast-check';
import type { LedgerConfig } from '../../core/index.js';
import { newLedger, overflowSeen, T0 } from './ledger.js';
import { Model } from './model.js';
import { agree, commandArbitraries, edgeCommands, type Real } from './model-commands.js';

export const MIN_STEPS = 25;
export const MAX_STEPS = 40;
/** How much likelier an exact-edge command is than any other: about one step in six is one. */
const EDGE_WEIGHT = 4;

/** MODEL_RUNS scales the run (per file); MODEL_SEED (with MODEL_PATH, without shrinking) replays a reported failure. */
export function modelRuns(defaultRuns: number): number {
  return Number(process.env.MODEL_RUNS ?? defaultRuns);
}

export async function runModel(
  runs: number,
  label: string,
  config: Partial<LedgerConfig> = {},
): Promise<{ overflowItemsSeen: number }> {
  const { ledger, clock } = await newLedger(config);
  let account = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(...commandArbitraries, { arbitrary: edgeCommands, weight: EDGE_WEIGHT }), {
        minLength: MIN_STEPS,
        maxLength: MAX_STEPS,
      }),
      async (commands) => {
        clock.set(T0);
        const model = new Model(
          T0,
          ledger.config.defaultAllowance,
          ledger.config.gracePeriodMs,
          ledger.config.maxLotsForGrants,
        );
        const real: Real = { ledger, clock, accountId: `${label}-${++account}`, seq: 0, bought: new Map() };
        await agree(model, real);
        await fc.asyncModelRun(() => ({ model, real }), commands);
      },
    ),
    {
      numRuns: runs,
      ...(process.env.MODEL_SEED ? { seed: Number(process.env.MODEL_SEED) } : {}),
      ...(process.env.MODEL_PATH ? { path: process.env.MODEL_PATH, endOnFailure: true } : {}),
    },
  );
  return { overflowItemsSeen: overflowSeen.max };
}
