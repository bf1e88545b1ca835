// Secrets on AWS: each function gets only the ARNs of its secrets and reads them from Secrets
// Manager before its first request (functions/http/secrets.ts). A contract test against the SDK
// client, mocked: there is no local Secrets Manager.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecrets } from '../functions/http/secrets.js';

const manager = mockClient(SecretsManagerClient);
afterEach(() => manager.reset());

describe('loading secrets', () => {
  it('fills the variables from the plain cursor secret and the JSON provider secrets, only for ARNs set', async () => {
    manager
      .on(GetSecretValueCommand, { SecretId: 'arn:cursor' })
      .resolves({ SecretString: 'cursor-key' })
      .on(GetSecretValueCommand, { SecretId: 'arn:stripe' })
      .resolves({ SecretString: JSON.stringify({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1' }) });
    const env: NodeJS.ProcessEnv = { CURSOR_SECRET_ARN: 'arn:cursor', STRIPE_SECRET_ARN: 'arn:stripe' };
    await loadSecrets(env, new SecretsManagerClient({ region: 'us-east-1' }));
    expect(env).toMatchObject({
      CURSOR_SECRET: 'cursor-key',
      STRIPE_SECRET_KEY: 'sk_test_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
    });
    expect(env.SPHEREPAY_API_KEY).toBeUndefined();
    expect(manager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual([
      'arn:cursor',
      'arn:stripe',
    ]);
  });

  it('leaves a variable unset when its secret holds an empty value, so the function refuses to start', async () => {
    manager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ secretKey: '', webhookSecret: 'w' }) });
    const env: NodeJS.ProcessEnv = { STRIPE_SECRET_ARN: 'arn:stripe' };
    await loadSecrets(env, new SecretsManagerClient({ region: 'us-east-1' }));
    expect(env.STRIPE_SECRET_KEY).toBeUndefined();
    expect(env.STRIPE_WEBHOOK_SECRET).toBe('w');
  });

  it('a Secrets Manager failure fails the load (the next request tries again)', async () => {
    manager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    await expect(
      loadSecrets({ CURSOR_SECRET_ARN: 'arn:cursor' }, new SecretsManagerClient({ region: 'us-east-1' })),
    ).rejects.toThrow('AccessDeniedException');
  });
});
