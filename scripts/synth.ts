// `npm run synth`: writes the CloudFormation template to cdk.out/, offline (the functions are
// bundled with the local esbuild, the app built with Vite when it changed; nothing is looked up in
// an AWS account).

import { App } from 'aws-cdk-lib';
import { IoCreditsStack } from '../infra/stack.js';
import { buildWeb } from './web-build.js';

await buildWeb();
const app = new App({ outdir: 'cdk.out' });
const stack = new IoCreditsStack(app, process.env.STACK_NAME ?? 'io-credits');
const assembly = app.synth();
process.stdout.write(`wrote ${assembly.getStackArtifact(stack.artifactId).templateFullPath}\n`);
