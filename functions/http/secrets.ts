// Provider keys, webhook secrets and the cursor secret come from Secrets Manager on AWS, read once
// per container before the first request, never from plain environment values: the deployment
// gives each function only the ARNs of the secrets it may read. Locally (no ARNs) this does nothing.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MiddlewareObj } from '@middy/core';

interface SecretSource {
  arnVariable: string;
  /** A JSON secret's field → the variable it fills; '' for a plain-text secret. */
  fields: Record<string, string>;
}

export const SECRET_SOURCES: readonly SecretSource[] = [
  { arnVariable: 'CURSOR_SECRET_ARN', fields: { '': 'CURSOR_SECRET' } },
  {
    arnVariable: 'STRIPE_SECRET_ARN',
    fields: { secretKey: 'STRIPE_SECRET_KEY', webhookSecret: 'STRIPE_WEBHOOK_SECRET' },
  },
  {
    arnVariable: 'SPHEREPAY_SECRET_ARN',
    fields: { apiKey: 'SPHEREPAY_API_KEY', webhookSecret: 'SPHEREPAY_WEBHOOK_SECRET' },
  },
];

export async function loadSecrets(
  env: NodeJS.ProcessEnv,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<void> {
  for (const source of SECRET_SOURCES) {
    const arn = env[source.arnVariable];
    if (!arn) continue;
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    const text = out.SecretString ?? '';
    const plain = source.fields[''];
    if (plain) {
      if (text) env[plain] = text;
      continue;
    }
    const values = JSON.parse(text || '{}') as Record<string, unknown>;
    for (const [field, variable] of Object.entries(source.fields)) {
      const value = values[field];
      if (typeof value === 'string' && value !== '') env[variable] = value;
    }
  }
}

let loaded: Promise<void> | undefined;

/** Middy middleware: the secrets are in place before the first request is handled. */
export function secrets(): MiddlewareObj {
  return {
    before: async () => {
      loaded ??= loadSecrets(process.env).catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
      await loaded;
    },
  };
}
