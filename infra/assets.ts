// Where the deployment's files come from: the project's root, found from this module (or from the
// single file SST bundles `sst.config.ts` into), under which the app's build sits; and each
// function's code, its bundle built on this machine while the CDK synthesizes. The build runs in a
// process of its own (scripts/bundle-function.ts, esbuild with the options in bundling.ts) because
// the CDK's local bundling is synchronous and esbuild runs plugins (the one that leaves zod's JSON
// Schema generator out) only in its asynchronous API. There is no Docker fallback: a failed build
// fails the synth.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import type { FunctionName } from './bundling.js';

/**
 * The project's root: the nearest folder holding a package.json, above this module here or above
 * the single file SST bundles `sst.config.ts` into (which sits in the root itself).
 */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = projectRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * A function's code: its bundle, built into the folder the CDK stages as the asset, which is named
 * by the hash of the bundle itself.
 */
export function bundled(name: FunctionName): Code {
  return Code.fromAsset(ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the CDK's type, never pulled: `local` always builds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      // The CDK caches a staged asset by its source folder and its bundling options as JSON, where
      // `tryBundle` (a function) leaves no trace: without something that names the function, every
      // function would be given the first bundle built (they share the project root as source).
      environment: { IO_CREDITS_FUNCTION: name },
      local: {
        tryBundle(outputDir) {
          const run = spawnSync(
            process.execPath,
            ['--import', 'tsx', join(ROOT, 'scripts', 'bundle-function.ts'), name, outputDir],
            { cwd: ROOT, encoding: 'utf8' },
          );
          if (run.status !== 0) throw new Error(`bundling ${name} failed: ${run.stderr || run.error?.message}`);
          return true;
        },
      },
    },
  });
}
