// The SST app (SST v2, the line built on aws-cdk-lib): one stack holding the IoCredits construct
// of infra/. SST itself is installed by `npm run deploy` only, not by `npm ci`: it brings its own
// tooling and AWS SDKs, which nothing else needs (docs/deploy.md).
//
//   JWT_ISSUER=https://id.io.net JWT_AUDIENCE=io-credits AWS_REGION=eu-west-1 npm run deploy

import type { Stack } from 'aws-cdk-lib';
import { IoCredits } from './infra/io-credits.js';

/** The part of SST v2's app object this config uses. */
interface SstApp {
  stack(fn: (context: { stack: Stack }) => unknown): unknown;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set to deploy (see docs/deploy.md)`);
  return value;
}

export default {
  config() {
    return { name: 'io-credits', region: process.env.AWS_REGION ?? 'us-east-1' };
  },
  stacks(app: SstApp) {
    app.stack(function Credits({ stack }) {
      const credits = new IoCredits(stack, 'IoCredits', {
        jwtIssuer: required('JWT_ISSUER'),
        jwtAudience: required('JWT_AUDIENCE').split(','),
        oidcClientId: required('OIDC_CLIENT_ID'),
        ...(process.env.CHECKOUT_SUCCESS_URL ? { checkoutSuccessUrl: process.env.CHECKOUT_SUCCESS_URL } : {}),
        ...(process.env.CHECKOUT_CANCEL_URL ? { checkoutCancelUrl: process.env.CHECKOUT_CANCEL_URL } : {}),
      });
      return { appUrl: credits.web.url, apiUrl: credits.api.apiEndpoint };
    });
  },
};
