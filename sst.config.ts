// The SST app (SST v2, the line built on aws-cdk-lib): one stack holding the IoCredits construct
// of infra/, the same construct `npm run synth` puts in a plain CDK stack. `sst` is a pinned dev
// dependency; `npm run sst:build` writes the template without deploying (docs/deploy.md).
//
//   JWT_ISSUER=https://id.io.net JWT_AUDIENCE=io-credits OIDC_CLIENT_ID=... AWS_REGION=eu-west-1 npm run deploy

import type { SSTConfig } from 'sst';
import type { StackContext } from 'sst/constructs';
import { IoCredits } from './infra/io-credits.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set to build or deploy the SST app (see docs/deploy.md)`);
  return value;
}

function Credits({ stack }: StackContext): void {
  const credits = new IoCredits(stack, 'IoCredits', {
    jwtIssuer: required('JWT_ISSUER'),
    jwtAudience: required('JWT_AUDIENCE').split(','),
    oidcClientId: required('OIDC_CLIENT_ID'),
    ...(process.env.CHECKOUT_SUCCESS_URL ? { checkoutSuccessUrl: process.env.CHECKOUT_SUCCESS_URL } : {}),
    ...(process.env.CHECKOUT_CANCEL_URL ? { checkoutCancelUrl: process.env.CHECKOUT_CANCEL_URL } : {}),
    stripeInvoices: process.env.STRIPE_INVOICES === 'true',
    ...(process.env.SELLER_NAME && process.env.SELLER_ADDRESS
      ? {
          seller: {
            name: process.env.SELLER_NAME,
            address: process.env.SELLER_ADDRESS,
            ...(process.env.SELLER_TAX_ID ? { taxId: process.env.SELLER_TAX_ID } : {}),
          },
        }
      : {}),
  });
  stack.addOutputs({
    AppUrl: { value: credits.web.url, description: 'Usage & Billing, with the API under the same origin' },
    ApiUrl: { value: credits.api.apiEndpoint, description: 'The IO Credits API' },
    PaymentOutcomesQueueUrl: { value: credits.outcomesQueue.queueUrl, description: 'What the deployment system reads' },
  });
}

export default {
  config() {
    return { name: 'io-credits', region: process.env.AWS_REGION ?? 'us-east-1' };
  },
  stacks(app) {
    app.stack(Credits);
  },
} satisfies SSTConfig;
