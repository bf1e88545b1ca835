// examples/deployment-service.ts against the local server: it pays with credits, waits through a
// pending payment while the user tops up, refunds an early end; and the library as built
// (sdk/dist) works the same as its sources.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeployment } from '../examples/deployment-service.js';
import { createClient } from '../sdk/src/index.js';
import { type Api, startApi } from './support/api.js';
import { c } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

let api: Api;
let service: string;
beforeAll(async () => {
  api = await startApi({ systemClock: true });
  service = await api.token('deployments', 'credits:service');
});
afterAll(() => api.server.close());

async function transactions(accountId: string) {
  const page = await api.call('GET', '/credits/transactions', { token: await api.token(accountId) });
  return page.body.items.map((t: { type: string; amount: string }) => `${t.type} ${t.amount}`);
}

describe('the example deployment service', () => {
  it('pays for a deployment, waits while the user tops up, and refunds the hours it did not run', async () => {
    const credits = createClient({ baseUrl: api.url, token: service, accountId: 'example-1' });
    const log: string[] = [];
    // The user tops up when the service starts waiting.
    const topUp = (line: string) => {
      log.push(line);
      if (line.includes('waiting for the user')) void buyCredits(api.ledger, 'example-1', c('20'));
    };
    const result = await runDeployment(
      credits,
      { deploymentId: 'dep-ex-1', product: 'vm', hourlyRate: '1.25', hoursBooked: 12, hoursRun: 3 },
      topUp,
    );
    expect(result).toMatchObject({ status: 'ran', charged: '15.000000', refunded: '11.250000' });
    // More than the negative allowance covers: the charge waits for credit.
    expect(log).toContain('dep-ex-1: waiting for the user to top up (15.00 short)');
    expect(await transactions('example-1')).toEqual(['refund 11.25', 'usage -15.00', 'purchase 20.00']);
    expect((await credits.credits.balance()).balance).toBe('16.25');
  });

  it('pays at once when the account has credit, and refunds nothing when it ran every hour', async () => {
    await buyCredits(api.ledger, 'example-2', c('20'));
    const credits = createClient({ baseUrl: api.url, token: service, accountId: 'example-2' });
    const result = await runDeployment(
      credits,
      { deploymentId: 'dep-ex-2', product: 'inference', hourlyRate: '2.5', hoursBooked: 2, hoursRun: 2 },
      () => {},
    );
    expect(result).toMatchObject({ status: 'ran', charged: '5.000000', refunded: '0.000000' });
    expect(await transactions('example-2')).toEqual(['usage -5.00', 'purchase 20.00']);
  });
});

describe('the built library', () => {
  it('builds with tsc and works from sdk/dist as from its sources', async () => {
    execFileSync('npx', ['tsc', '-p', 'sdk/tsconfig.json'], { stdio: 'pipe' });
    const dist = pathToFileURL(resolve('sdk/dist/index.js')).href;
    const built = (await import(dist)) as typeof import('../sdk/src/index.js');
    await buyCredits(api.ledger, 'example-3', c('3'));
    const credits = built.createClient({ baseUrl: api.url, token: service, accountId: 'example-3' });
    expect(await credits.credits.check({ amount: '5' })).toMatchObject({ sufficient: false, shortfall: '2.00' });
  });
});
