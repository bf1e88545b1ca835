// The IO Credits stack for a plain CDK app (npm run synth, the tests); SST mounts the same
// construct in its own stack (sst.config.ts).

import { App, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { IoCredits, type IoCreditsProps } from './io-credits.js';

export class IoCreditsStack extends Stack {
  readonly credits: IoCredits;

  constructor(scope: App, id: string, props?: StackProps & { credits?: IoCreditsProps }) {
    super(scope, id, props);
    this.credits = new IoCredits(this, 'IoCredits', props?.credits);
    new CfnOutput(this, 'AppUrl', {
      value: this.credits.web.url,
      description: 'Usage & Billing, with the API under the same origin',
    });
    new CfnOutput(this, 'ApiUrl', { value: this.credits.api.apiEndpoint, description: 'The IO Credits API' });
    new CfnOutput(this, 'PaymentOutcomesQueueUrl', {
      value: this.credits.outcomesQueue.queueUrl,
      description: 'What the deployment system reads',
    });
  }
}
