// Secrets on AWS: each function gets only the ARNs of its secrets and reads them from Secrets
// Manager through Powertools' Parameters utility, cached for SECRET_MAX_AGE_SECONDS
// (functions/http/secrets.ts). A contract test against the SDK client, mocked: there is no local
// Secrets Manager.

import { readFileSync } from 'node:fs';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { forgetRuntime, runtime } from '../functions/http/runtime.js';
import { loadSecrets, SECRET_MAX_AGE_SECONDS, secrets } from '../functions/http/secrets.js';
import { ACCESS, type FunctionName } from '../infra/io-credits.js';

const manager = mockClient(SecretsManagerClient);
afterEach(() => {
  manager.reset();
  vi.useRealTimers();
});

const provider = () => new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({ region: 'us-east-1' }) });
const secretIds = () => manager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId);

describe('loading secrets', () => {
  it('fills the variables from the plain cursor secret and the JSON provider secrets, only for ARNs set', async () => {
    manager
      .on(GetSecretValueCommand, { SecretId: 'arn:cursor' })
      .resolves({ SecretString: 'cursor-key' })
      .on(GetSecretValueCommand, { SecretId: 'arn:stripe' })
      .resolves({ SecretString: JSON.stringify({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1' }) });
    const env: NodeJS.ProcessEnv = { CURSOR_SECRET_ARN: 'arn:cursor', STRIPE_SECRET_ARN: 'arn:stripe' };
    expect(await loadSecrets(env, provider())).toBe(true);
    expect(env).toMatchObject({
      CURSOR_SECRET: 'cursor-key',
      STRIPE_SECRET_KEY: 'sk_test_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
    });
    expect(env.SPHEREPAY_API_KEY).toBeUndefined();
    expect(secretIds()).toEqual(['arn:cursor', 'arn:stripe']);
  });

  it('leaves a variable unset when its secret holds an empty value: the function refuses what needs it', async () => {
    manager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ secretKey: '', webhookSecret: 'w' }) });
    const env: NodeJS.ProcessEnv = { STRIPE_SECRET_ARN: 'arn:stripe' };
    await loadSecrets(env, provider());
    expect(env.STRIPE_SECRET_KEY).toBeUndefined();
    expect(env.STRIPE_WEBHOOK_SECRET).toBe('w');
  });

  it('a Secrets Manager failure fails the load (the next request tries again)', async () => {
    manager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    await expect(loadSecrets({ CURSOR_SECRET_ARN: 'arn:cursor' }, provider())).rejects.toThrow('AccessDeniedException');
  });

  it('asks Secrets Manager once per max age, and picks up a rotated value after it', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-26T00:00:00Z'), toFake: ['Date'] });
    manager.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'first' }).resolves({ SecretString: 'rotated' });
    const env: NodeJS.ProcessEnv = { CURSOR_SECRET_ARN: 'arn:cursor' };
    const cached = provider();
    expect(await loadSecrets(env, cached)).toBe(true);
    vi.setSystemTime(Date.now() + (SECRET_MAX_AGE_SECONDS - 1) * 1000);
    expect(await loadSecrets(env, cached)).toBe(false);
    expect(env.CURSOR_SECRET).toBe('first');
    expect(secretIds()).toHaveLength(1);
    vi.setSystemTime(Date.now() + 2000);
    expect(await loadSecrets(env, cached)).toBe(true);
    expect(env.CURSOR_SECRET).toBe('rotated');
    expect(secretIds()).toHaveLength(2);
  });
});

describe('the secrets middleware', () => {
  it('rebuilds the runtime when a value changed, so a rotated cursor key signs the next page', async () => {
    manager.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'first' }).resolves({ SecretString: 'rotated' });
    const saved = { ...process.env };
    Object.assign(process.env, { CURSOR_SECRET_ARN: 'arn:cursor', TABLE_NAME: 'io-credits-secrets-test' });
    try {
      const middleware = secrets(provider());
      const before = middleware.before as () => Promise<void>;
      await before();
      expect(runtime().cursorSecret).toBe('first');
      const built = runtime();
      await before();
      expect(runtime()).toBe(built);
      const rotating = secrets(provider());
      await (rotating.before as () => Promise<void>)();
      expect(runtime()).not.toBe(built);
      expect(runtime().cursorSecret).toBe('rotated');
    } finally {
      process.env = saved;
      forgetRuntime();
    }
  });

  it('is used by exactly the functions given secrets', () => {
    for (const name of ['balance', 'charges', 'purchases', 'webhooks', 'withdrawals', 'notifications', 'admin']) {
      const source = readFileSync(`functions/${name}.ts`, 'utf8');
      expect(source.includes('use: [secrets()]'), name).toBe(Boolean(ACCESS[name as FunctionName].secrets?.length));
    }
  });
});
