// Starts `npm start -- --memory` on a free port with the manual clock and a known dev-token
// secret, waits until it says where the app is, and stops it (and its DynamoDB Local) afterwards.
// The tests read the URL and the secret from the environment it sets.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { CHROMIUM } from '../../playwright.config.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium), or set ` +
        `CHROMIUM_PATH`,
    );
  const port = await freePort();
  const secret = randomBytes(24).toString('hex');
  const child: ChildProcess = spawn('npm', ['start', '--', '--memory'], {
    env: {
      ...process.env,
      PORT: String(port),
      IO_CREDITS_CLOCK: 'manual',
      AUTH_DEV_SECRET: secret,
      // Not the default, so the tests see the app say what the API answers (GET /credits/limits).
      PURCHASE_MAX_AMOUNT: '9000.00',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 120_000;
  while (!/Usage & Billing: open (http:\/\/\S+)\//.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.env.E2E_BASE_URL = /Usage & Billing: open (http:\/\/\S+)\//.exec(output)![1]!;
  process.env.E2E_AUTH_SECRET = secret;
  return async () => {
    // npm start stops DynamoDB Local on SIGINT; the process group takes npm and tsx with it.
    if (child.pid) process.kill(-child.pid, 'SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
  };
}
