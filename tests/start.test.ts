// `npm start` and `npm run token` as a newcomer runs them: the server comes up on DynamoDB Local,
// prints working tokens, answers, and Ctrl-C stops it and its JVM; a taken port or a missing
// Java is a clear one-line error.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const TSX = resolve('node_modules/tsx/dist/cli.mjs');
const SECRET = 'start-test-secret';
const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(
  env: Record<string, string>,
  args: string[] = ['--memory'],
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [TSX, 'scripts/start.ts', ...args], {
    env: { ...process.env, AUTH_DEV_SECRET: SECRET, ...env },
    stdio: 'pipe',
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function waitFor(output: () => string, text: string, exited: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 60_000;
  let ended = false;
  void exited.then(() => (ended = true));
  while (!output().includes(text)) {
    if (ended || Date.now() > deadline) throw new Error(`never printed ${JSON.stringify(text)}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(false)));
    socket.once('error', () => done(true));
  });
}

describe('npm start', () => {
  it(
    "prints the app's URL first, serves the app and the API with the printed tokens, and Ctrl-C stops the " +
      'server and DynamoDB Local',
    async () => {
      const { child, output, exited } = start({ PORT: '0' });
      await waitFor(output, 'Ctrl-C stops', exited);
      const url = /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output())![1]!;
      const firstLine = output()
        .split('\n')
        .find((line) => line.includes('http://'));
      expect(firstLine).toBe(`Usage & Billing: open ${url}/ (sign in as the demo user or the finance team)`);
      const app = await fetch(`${url}/`);
      expect(app.headers.get('content-type')).toMatch(/^text\/html/);
      expect(app.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await app.text()).toContain('<div id="root"></div>');
      expect(await (await fetch(`${url}/config.json`)).json()).toEqual({ apiUrl: '', auth: { mode: 'local' } });
      const dynamoPort = Number(/DynamoDB Local on http:\/\/127\.0\.0\.1:(\d+)/.exec(output())![1]);
      const token = /export TOKEN=(\S+)/.exec(output())![1]!;
      const adminToken = /export ADMIN_TOKEN=(\S+)/.exec(output())![1]!;

      const balance = await fetch(`${url}/credits/balance`, { headers: { authorization: `Bearer ${token}` } });
      expect(balance.status).toBe(200);
      expect(await balance.json()).toMatchObject({ accountId: 'demo-user', balance: '0.00' });
      const grant = await fetch(`${url}/admin/accounts/demo-user/grants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: '5.00', description: 'Welcome' }),
      });
      expect(grant.status).toBe(201);

      const printed = spawnSync(process.execPath, [TSX, 'scripts/token.ts', '--sub', 'demo-user'], {
        env: { ...process.env, AUTH_DEV_SECRET: SECRET },
        encoding: 'utf8',
      });
      const again = await fetch(`${url}/credits/balance`, {
        headers: { authorization: `Bearer ${printed.stdout.trim()}` },
      });
      expect(await again.json()).toMatchObject({ balance: '5.00' });

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await portIsClosed(dynamoPort)).toBe(true);
      expect(await portIsClosed(Number(new URL(url).port))).toBe(true);
    },
  );

  it('says so when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const port = (holder.address() as { port: number }).port;
    try {
      const { output, exited } = start({ PORT: String(port) });
      expect(await exited).toBe(1);
      expect(output()).toContain(`port ${port} is already in use`);
    } finally {
      holder.close();
    }
  });

  it('says so when Java is missing', async () => {
    // A PATH with Node and nothing else.
    const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const { output, exited } = start({ PORT: '0', PATH: bin });
    expect(await exited).toBe(1);
    expect(output()).toContain('DynamoDB Local needs Java 17 or newer');
  });
});
