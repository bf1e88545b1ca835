// Provider keys, webhook secrets and the cursor secret come from Secrets Manager on AWS, through
// Powertools' Parameters utility, never from plain environment values: the deployment gives each
// function only the ARNs of the secrets it may read. The values are cached for
// SECRET_MAX_AGE_SECONDS; when a cached value expires it is read again, and a changed value (a
// rotated key) rebuilds the runtime before the request that sees it. Locally (no ARNs) this does
// nothing. Only the functions that hold secrets use the middleware, so the others' bundles carry
// neither the Secrets Manager client nor Parameters.

import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { MiddlewareObj } from '@middy/core';
import { forgetRuntime } from './runtime.js';

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

/** How long a container keeps a secret's value before asking Secrets Manager again. */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * Puts the value of every secret whose ARN is set into its variables (an empty value leaves the
 * variable unset, so the function refuses what needs it). Answers whether any variable changed.
 */
export async function loadSecrets(env: NodeJS.ProcessEnv, provider: SecretsProvider): Promise<boolean> {
  let changed = false;
  const put = (variable: string, value: unknown) => {
    const next = typeof value === 'string' && value !== '' ? value : undefined;
    if (env[variable] === next) return;
    if (next === undefined) delete env[variable];
    else env[variable] = next;
    changed = true;
  };
  for (const source of SECRET_SOURCES) {
    const arn = env[source.arnVariable];
    if (!arn) continue;
    const plain = source.fields[''];
    if (plain) {
      put(plain, await provider.get(arn, { maxAge: SECRET_MAX_AGE_SECONDS }));
      continue;
    }
    const values = (await provider.get(arn, { maxAge: SECRET_MAX_AGE_SECONDS, transform: 'json' })) ?? {};
    for (const [field, variable] of Object.entries(source.fields))
      put(variable, (values as Record<string, unknown>)[field]);
  }
  return changed;
}

/** Middy middleware: the secrets are in place, and current within their max age, before each request. */
export function secrets(provider: SecretsProvider = new SecretsProvider()): MiddlewareObj {
  return {
    before: async () => {
      if (await loadSecrets(process.env, provider)) forgetRuntime();
    },
  };
}
