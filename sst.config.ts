// SST app definition. The AWS resources are aws-cdk-lib constructs in infra/; this file is
// what `sst deploy` reads. It names the app and its default region and mounts no stacks yet.

const app = {
  config() {
    return { name: 'io-credits', region: process.env.AWS_REGION ?? 'us-east-1' };
  },
  stacks() {},
};

export default app;
