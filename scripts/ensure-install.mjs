// Runs before `npm start`, `npm test` and `npm run bench`: installs the locked dependencies
// (`npm ci`) when node_modules is missing or older than package-lock.json, so a fresh clone
// needs no other step. Plain JavaScript, so it runs on whatever Node.js bootstraps npm.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
const fresh = existsSync(installed) && statSync(installed).mtimeMs >= statSync('package-lock.json').mtimeMs;
if (!fresh) {
  process.stdout.write(
    `${existsSync('node_modules') ? 'package-lock.json changed' : 'first run'}: installing dependencies with npm ci…\n`,
  );
  const result = spawnSync('npm', npmCi(), { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('npm ci failed; see above.\n');
    process.exit(result.status ?? 1);
  }
}

/**
 * `npm ci`, run on the Node.js the project's scripts use (the `node` dev dependency, Lambda's major)
 * when the one bootstrapping npm is older: the packages' engines are checked against it, so the
 * install says nothing about engines it will not run on.
 */
function npmCi() {
  const ci = ['ci', '--no-audit', '--no-fund'];
  const wanted = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.node;
  if (process.versions.node.split('.')[0] === wanted.split('.')[0]) return ci;
  return ['exec', '--yes', `--package=node@${wanted}`, '--', 'npm', ...ci];
}
