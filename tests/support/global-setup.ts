// Starts one in-memory DynamoDB Local for the whole test run and stops it afterwards, JVM and
// all. Each test file creates its own table on it, so files run in parallel without sharing state.

import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../scripts/dynamodb-local.js';
import { buildWeb } from '../../scripts/web-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.version.startsWith('v22.')) {
    throw new Error(
      `IO Credits runs on Node 22 (Lambda nodejs22.x); this is ${process.version}. Run the tests with \`npm ` +
        `test\`, which uses the Node 22 that \`npm ci\` installs.`,
    );
  }
  // The infrastructure tests synthesize the app's files into the template: build them first if stale.
  await buildWeb({ log: () => undefined });
  const local = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', local.endpoint);
  const stopOnSignal = () => void local.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  return async () => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await local.stop();
  };
}
