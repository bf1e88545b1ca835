// The Usage & Billing app's weight and speed: the JavaScript a first visit loads, gzipped (target
// ≤ 150 KB), and the time from navigation to the balance on screen and to the first chart of
// Credits Usage drawn, median of 20 loads in headless Chromium against a warm local server
// (`npm start -- --memory`), for an account with 100,000 charges over 13 months (usage-history.ts;
// BENCH_USAGE_CHARGES changes how many). Writes bench/results/web.json.
//
//   npm run bench:web

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { DEFAULT_CONFIG, Ledger, LedgerTable, ManualClock } from '../core/index.js';
import { signDevToken } from '../functions/local/dev-auth.js';
import { buildWeb, WEB_DIST } from '../scripts/web-build.js';
import { writeResults } from './results.js';
import { chargeHistory } from './usage-history.js';

const LOADS = 20;
const USAGE_CHARGES = Number(process.env.BENCH_USAGE_CHARGES ?? 100_000);
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

async function startServer(
  secret: string,
): Promise<{ url: string; child: ChildProcess; dynamoEndpoint: string; tableName: string }> {
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
  const [, dynamoEndpoint, tableName] = /DynamoDB Local on (\S+), table ([^,\s]+),/.exec(output)!;
  return {
    url: /open (http:\/\/\S+)\//.exec(output)![1]!,
    child,
    dynamoEndpoint: dynamoEndpoint!,
    tableName: tableName!,
  };
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
  const { url, child, dynamoEndpoint, tableName } = await startServer(secret);
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
    // The account's history, made through the ledger on the server's own table, ending now.
    log(`making ${USAGE_CHARGES.toLocaleString('en-US')} charges over 13 months for bench-user…`);
    const clock = new ManualClock(Date.now());
    const history = new Ledger(new LedgerTable({ tableName, endpoint: dynamoEndpoint }), clock, DEFAULT_CONFIG);
    const made = await chargeHistory(history, clock, 'bench-user', { charges: USAGE_CHARGES, endMs: Date.now(), log });
    log(`  made in ${made.seconds} s`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Runs in the page: the session the sign-in page would store, and the moment the balance is on
    // screen, in milliseconds since navigation started.
    const session = JSON.stringify({ token, sub: 'bench-user', name: 'bench-user', scopes: [] });
    await context.addInitScript({
      content: `sessionStorage.setItem('io-credits:session', ${JSON.stringify(session)});
        new MutationObserver((records, observer) => {
          const balance = document.querySelector('[data-testid="balance"]');
          if (window.balanceShownAt === undefined && balance && balance.textContent.startsWith('$'))
            window.balanceShownAt = performance.now();
          const chart = document.querySelector('section[aria-labelledby="credits-usage"] .chart canvas');
          if (window.chartShownAt === undefined && chart && chart.width > 0) window.chartShownAt = performance.now();
          if (window.balanceShownAt !== undefined && window.chartShownAt !== undefined) observer.disconnect();
        }).observe(document, { childList: true, subtree: true, characterData: true });`,
    });
    const page = await context.newPage();
    const balanceTimes: number[] = [];
    const chartTimes: number[] = [];
    type Marks = { balanceShownAt?: number; chartShownAt?: number };
    for (let load = 0; load < WARMUP_LOADS + LOADS; load += 1) {
      await page.goto(`${url}/`);
      // Functions, not strings: the app's CSP refuses string evaluation ('unsafe-eval').
      await page.waitForFunction(() => {
        const marks = globalThis as Marks;
        return marks.balanceShownAt !== undefined && marks.chartShownAt !== undefined;
      });
      const marks = await page.evaluate(() => {
        const { balanceShownAt, chartShownAt } = globalThis as Marks;
        return { balanceShownAt: balanceShownAt!, chartShownAt: chartShownAt! };
      });
      if (load < WARMUP_LOADS) continue;
      balanceTimes.push(marks.balanceShownAt);
      chartTimes.push(marks.chartShownAt);
    }
    const balance = summary(balanceTimes);
    const chart = summary(chartTimes);
    log(
      `navigation to balance shown: median ${balance.median} ms over ${LOADS} loads ` +
        `(min ${balance.min}, max ${balance.max})`,
    );
    log(
      `navigation to the first usage chart drawn (${USAGE_CHARGES.toLocaleString('en-US')} charges): median ` +
        `${chart.median} ms (min ${chart.min}, max ${chart.max})`,
    );
    const out = writeResults('web', {
      initialJavaScript: {
        files: files.js,
        gzipKb: initialJsKb,
        target: `≤ ${TARGET_INITIAL_JS_KB} KB`,
        met: initialJsKb <= TARGET_INITIAL_JS_KB,
      },
      initialCss: { files: files.css, gzipKb: initialCssKb },
      navigationToBalanceMs: { loads: LOADS, warmupLoads: WARMUP_LOADS, ...balance, browser: browser.version() },
      navigationToFirstChartMs: {
        loads: LOADS,
        warmupLoads: WARMUP_LOADS,
        ...chart,
        accountCharges: USAGE_CHARGES,
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

function summary(times: number[]): { median: number; min: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (ms: number) => Number(ms.toFixed(1));
  return {
    median: at((sorted[LOADS / 2 - 1]! + sorted[LOADS / 2]!) / 2),
    min: at(sorted[0]!),
    max: at(sorted.at(-1)!),
  };
}

await main();
