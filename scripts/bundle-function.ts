// Builds one Lambda function's bundle: `tsx scripts/bundle-function.ts <name> <folder>` writes
// <folder>/index.mjs and its source map. The CDK runs it while synthesizing (infra/assets.ts),
// since esbuild's plugins need its JavaScript API, which the CDK's own Node.js bundling does not use.
// A warning (an import zod's JSON Schema stand-in lacks, say) fails the build.

import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS, type FunctionName, functionBuild } from '../infra/bundling.js';

const [name, folder] = process.argv.slice(2);
if (!name || !folder || !FUNCTIONS.some((f) => f.name === name)) {
  process.stderr.write(`usage: bundle-function <${FUNCTIONS.map((f) => f.name).join('|')}> <folder>\n`);
  process.exit(2);
}
const result = await build({
  ...functionBuild(name as FunctionName),
  outfile: join(folder, 'index.mjs'),
  logLevel: 'silent',
});
if (result.warnings.length > 0) {
  process.stderr.write(`${result.warnings.map((w) => w.text).join('\n')}\n`);
  process.exit(1);
}
