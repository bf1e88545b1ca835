// The Usage & Billing app's weight and speed: the JavaScript a first visit loads, gzipped (target
// ≤ 150 KB), and the time from navigation to the balance on screen, median of 20 loads in headless
// Chromium against a warm local server (`npm start -- --memory`). Writes bench/results/web.json.
//
//   npm run bench:web

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { signDevToken } from '../functions/local/dev-auth.js';
import { buildWeb, WEB_DIST } from '../scripts/web-build.js';
import { writeResults } from './results.js';

const LOADS = 20;
const WARMUP_LOADS = 3;
const TARGET_INITIAL_JS_KB = 150;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const log = (line: string) => process.stdout.write(`${line}\n`);

/** The files index.html loads before anything else: its module script, the modules it preloads, its CSS. */
function initialFiles(): { js: string[]; css: string[] } {
  const html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
  const js = [
    ...html.matchAll(/<script type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => m[1]!);
  const css = [...html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  return { js, css };
}

const gzipKb = (files: string[]) =>
  Number(
    (
      files.reduce((total, file) => total + gzipSync(readFileSync(join(WEB_DIST, file)), { level: 9 }).length, 0) / 1024
    ).toFixed(1),
  );

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startServer(secret: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--memory'], {
    env: { ...process.env, PORT: String(port), AUTH_DEV_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 120_000;
  while (!output.includes('Ctrl-C stops')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: /open (http:\/\/\S+)\//.exec(output)![1]!, child };
}

async function main(): Promise<void> {
  await buildWeb();
  const files = initialFiles();
  const initialJsKb = gzipKb(files.js);
  const initialCssKb = gzipKb(files.css);
  log(
    `initial JavaScript: ${initialJsKb} KB gzipped (${files.js.join(', ')}); CSS ${initialCssKb} KB; target ≤ ` +
      `${TARGET_INITIAL_JS_KB} KB: ${initialJsKb <= TARGET_INITIAL_JS_KB ? 'met' : 'MISSED'}`,
  );

  const secret = randomBytes(24).toString('hex');
  const { url, child } = await startServer(secret);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const token = await signDevToken(secret, 'bench-user');
    // Some history, so the page draws what a user sees.
    const created = await fetch(`${url}/credits/purchases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '120.00', method: 'card' }),
    }).then((r) => r.json() as Promise<{ purchaseId: string }>);
    await fetch(`${url}/local/checkout/${created.purchaseId}/pay`, { method: 'POST' });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Runs in the page: the session the sign-in page would store, and the moment the balance is on
    // screen, in milliseconds since navigation started.
    const session = JSON.stringify({ token, sub: 'bench-user', name: 'bench-user', scopes: [] });
    await context.addInitScript({
      content: `sessionStorage.setItem('io-credits:session', ${JSON.stringify(session)});
        new MutationObserver((records, observer) => {
          const balance = document.querySelector('[data-testid="balance"]');
          if (balance && balance.textContent.startsWith('$')) {
            window.balanceShownAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true, characterData: true });`,
    });
    const page = await context.newPage();
    const times: number[] = [];
    for (let load = 0; load < WARMUP_LOADS + LOADS; load += 1) {
      await page.goto(`${url}/`);
      // Functions, not strings: the app's CSP refuses string evaluation ('unsafe-eval').
      await page.waitForFunction(() => (globalThis as { balanceShownAt?: number }).balanceShownAt !== undefined);
      const shownAt = await page.evaluate(() => (globalThis as unknown as { balanceShownAt: number }).balanceShownAt);
      if (load >= WARMUP_LOADS) times.push(shownAt);
    }
    times.sort((a, b) => a - b);
    const median = Number(((times[LOADS / 2 - 1]! + times[LOADS / 2]!) / 2).toFixed(1));
    log(
      `navigation to balance shown: median ${median} ms over ${LOADS} loads (min ${times[0]!.toFixed(1)}, max ` +
        `${times.at(-1)!.toFixed(1)})`,
    );
    const out = writeResults('web', {
      initialJavaScript: {
        files: files.js,
        gzipKb: initialJsKb,
        target: `≤ ${TARGET_INITIAL_JS_KB} KB`,
        met: initialJsKb <= TARGET_INITIAL_JS_KB,
      },
      initialCss: { files: files.css, gzipKb: initialCssKb },
      navigationToBalanceMs: {
        loads: LOADS,
        warmupLoads: WARMUP_LOADS,
        median,
        min: Number(times[0]!.toFixed(1)),
        max: Number(times.at(-1)!.toFixed(1)),
        browser: browser.version(),
      },
    });
    log(`wrote ${out}`);
  } finally {
    await browser.close();
    if (child.pid) process.kill(-child.pid, 'SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

await main();
