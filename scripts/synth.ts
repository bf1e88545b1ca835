// `npm run synth`: writes the CloudFormation template to cdk.out/, offline (the functions are
// bundled with the local esbuild; nothing is looked up in an AWS account).

import { App } from 'aws-cdk-lib';
import { IoCreditsStack } from '../infra/stack.js';

const app = new App({ outdir: 'cdk.out' });
const stack = new IoCreditsStack(app, process.env.STACK_NAME ?? 'io-credits');
const assembly = app.synth();
process.stdout.write(`wrote ${assembly.getStackArtifact(stack.artifactId).templateFullPath}\n`);
