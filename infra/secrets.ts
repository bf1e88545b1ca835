// The secrets, in Secrets Manager: the key that signs pagination cursors, generated at the first
// deployment, and the Stripe and Spherepay keys and webhook secrets, whose values the operator sets
// (docs/deploy.md). Functions are given only the ARNs of those they may read (access.ts) and read
// them at a cold start (functions/http/secrets.ts), so no value is ever in the template or in a
// function's environment.

import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export type SecretName = 'cursor' | 'stripe' | 'spherepay';

export type Secrets = Record<SecretName, Secret>;

export function addSecrets(scope: Construct): Secrets {
  return {
    cursor: new Secret(scope, 'CursorSecret', {
      description: 'IO Credits: signs pagination cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    }),
    stripe: new Secret(scope, 'StripeSecret', {
      description: 'IO Credits: {"secretKey": "sk_…", "webhookSecret": "whsec_…"}',
    }),
    spherepay: new Secret(scope, 'SpherepaySecret', {
      description: 'IO Credits: {"apiKey": "…", "webhookSecret": "…"}',
    }),
  };
}
