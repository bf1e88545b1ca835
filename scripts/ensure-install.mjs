// Runs before `npm start`, `npm test` and `npm run bench`: installs the locked dependencies
// (`npm ci`) when node_modules is missing or older than package-lock.json, so a fresh clone
// needs no other step. Plain JavaScript, so it runs on whatever Node.js bootstraps npm.

import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
const fresh = existsSync(installed) && statSync(installed).mtimeMs >= statSync('package-lock.json').mtimeMs;
if (!fresh) {
  process.stdout.write(
    `${existsSync('node_modules') ? 'package-lock.json changed' : 'first run'}: installing dependencies with npm ci…\n`,
  );
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('npm ci failed; see above.\n');
    process.exit(result.status ?? 1);
  }
}
