// A small deployment service that pays for compute with IO Credits through the client library
// (SPEC §13): it asks whether the account can pay, charges for the hours booked, waits through a
// pending payment while the user tops up, runs the deployment, and refunds the hours it did not
// run when it ends early.
//
//   SERVICE_TOKEN=$(npm run -s token -- --sub deployments --scope credits:service) \
//     npx tsx examples/deployment-service.ts demo-user 2 1
//
// (account, hours booked, hours run) against `npm start`; tests/sdk-example.test.ts runs it too.

import { fileURLToPath } from 'node:url';
import { createClient, type IoCreditsClient } from '../sdk/src/index.js';

export interface Deployment {
  deploymentId: string;
  product: 'ray_cluster' | 'vm' | 'kubernetes' | 'baremetal' | 'inference';
  /** Credits per hour, a decimal string with at most 6 decimals. */
  hourlyRate: string;
  hoursBooked: number;
  /** Hours it ran before it ended; fewer than booked is an early end, refunded. */
  hoursRun: number;
}

export type DeploymentResult =
  | { status: 'ran'; chargeId: string; charged: string; refunded: string }
  | { status: 'not_paid'; chargeId: string; outcome: string };

/** Micro-credits: amounts are computed as integers, never as floats. */
const toMicros = (amount: string): bigint => {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
};
const toCredits = (micros: bigint): string =>
  `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;

export async function runDeployment(
  credits: IoCreditsClient,
  deployment: Deployment,
  log: (line: string) => void = console.log,
): Promise<DeploymentResult> {
  const price = toMicros(deployment.hourlyRate) * BigInt(deployment.hoursBooked);
  const amount = toCredits(price);
  const check = await credits.credits.check({ amount, product: deployment.product });
  log(
    `${deployment.deploymentId}: ${amount} credits for ${deployment.hoursBooked} h; ` +
      `within allowance: ${check.withinAllowance}`,
  );

  // One key for this booking: a retry (ours or the library's) replays it rather than charging again.
  const charge = await credits.charges.create({
    deploymentId: deployment.deploymentId,
    product: deployment.product,
    amount,
    description: `${deployment.hoursBooked} h at ${deployment.hourlyRate}/h`,
    idempotencyKey: `${deployment.deploymentId}:start`,
  });
  if (charge.status === 'pending_payment') {
    log(`${deployment.deploymentId}: waiting for the user to top up (${charge.shortfall} short)`);
    const outcome = await credits.charges.waitForOutcome(charge.chargeId);
    if (outcome.status !== 'paid') return { status: 'not_paid', chargeId: charge.chargeId, outcome: outcome.status };
  }
  log(`${deployment.deploymentId}: paid; running`);

  const unused = toMicros(deployment.hourlyRate) * BigInt(deployment.hoursBooked - deployment.hoursRun);
  if (unused > 0n) {
    await credits.charges.refund(charge.chargeId, {
      amount: toCredits(unused),
      reason: `ended after ${deployment.hoursRun} of ${deployment.hoursBooked} h`,
      idempotencyKey: `${deployment.deploymentId}:early-end`,
    });
    log(`${deployment.deploymentId}: ended early; ${toCredits(unused)} credits back`);
  }
  return { status: 'ran', chargeId: charge.chargeId, charged: amount, refunded: toCredits(unused) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [accountId = 'demo-user', booked = '2', run = '1'] = process.argv.slice(2);
  const token = process.env.SERVICE_TOKEN;
  if (!token) throw new Error('SERVICE_TOKEN: a credits:service token (npm run token -- --scope credits:service)');
  const credits = createClient({ baseUrl: process.env.IO_CREDITS_URL ?? 'http://127.0.0.1:3000', token, accountId });
  const result = await runDeployment(credits, {
    deploymentId: `dep-${Date.now()}`,
    product: 'vm',
    hourlyRate: '1.25',
    hoursBooked: Number(booked),
    hoursRun: Number(run),
  });
  console.log(JSON.stringify(result));
}
