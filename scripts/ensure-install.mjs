// Runs before `npm start`, `npm test` and `npm run bench`: installs the locked dependencies
// (`npm ci`) when node_modules is missing or was installed from another package-lock.json, so a
// fresh clone needs no other step. Plain JavaScript, so it runs on whatever Node.js bootstraps npm.
//
// What was installed is told by the lockfile's hash, kept in node_modules after each install, not
// by modification times: a checkout that only touches package-lock.json (a new git worktree, a
// branch switched back and forth) installs nothing.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

const stamp = 'node_modules/.installed-lock-sha256';
const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
if (!installedFrom(lockHash)) {
  process.stdout.write(
    `${existsSync('node_modules') ? 'package-lock.json changed' : 'first run'}: installing dependencies with npm ci…\n`,
  );
  const result = spawnSync('npm', npmCi(), { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('npm ci failed; see above.\n');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, `${lockHash}\n`);
}

/** Whether node_modules holds what this package-lock.json locks. */
function installedFrom(hash) {
  if (existsSync(stamp)) return readFileSync(stamp, 'utf8').trim() === hash;
  // Installed before the stamp was kept: npm's own record of the install, by its age.
  const installed = 'node_modules/.package-lock.json';
  return existsSync(installed) && statSync(installed).mtimeMs >= statSync('package-lock.json').mtimeMs;
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
