// The SST app builds offline: the real `sst build` (the pinned SST 2.49.8) runs against a local
// stand-in for the AWS calls it makes (tests/support/aws-stand-in.ts), and the template it writes
// holds the same resources as `npm run synth`'s plain CDK stack, plus the one SST adds to every
// stack of its own.

import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS } from '../infra/io-credits.js';
import { IoCreditsStack } from '../infra/stack.js';
import { type AwsStandIn, STAND_IN_ACCOUNT, startAwsStandIn } from './support/aws-stand-in.js';

type Resource = { Type: string; Properties: Record<string, any> };
type CfnTemplate = {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
  Parameters?: Record<string, unknown>;
};

const OUT = join('.build', `sst-${process.pid}`);
const SST_CLI = createRequire(import.meta.url).resolve('sst/cli/sst.js');

/**
 * Runs `sst build --stage ci`, as a person would: without the test runner's NODE_ENV=test, under
 * which SST skips its bootstrap checks. Resolves with its exit code and what it printed.
 */
function sstBuild(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { NODE_ENV: _testRunner, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SST_CLI, 'build', '--stage', 'ci', '--to', OUT], {
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** CDK names an SQS event source after the stack it is in: the one id that differs by stack name. */
const sameAcrossStacks = (id: string) => id.replace(/SqsEventSource.*/, 'SqsEventSource');

let standIn: AwsStandIn;
let built: { code: number | null; output: string };
let sst: CfnTemplate;
let synth: CfnTemplate;

beforeAll(async () => {
  standIn = await startAwsStandIn();
  built = await sstBuild({
    AWS_ENDPOINT_URL_STS: standIn.url,
    AWS_ENDPOINT_URL_CLOUDFORMATION: standIn.url,
    AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
    AWS_SECRET_ACCESS_KEY: 'stand-in',
    AWS_REGION: 'us-east-1',
    SST_TELEMETRY_DISABLED: '1',
    JWT_ISSUER: 'https://id.example.net',
    JWT_AUDIENCE: 'io-credits,io-cloud',
    OIDC_CLIENT_ID: 'usage-billing',
  });
  if (built.code === 0) {
    sst = JSON.parse(readFileSync(join(OUT, 'ci-io-credits-Credits.template.json'), 'utf8')) as CfnTemplate;
  }
  const app = new App({ outdir: join('.build', `synth-${process.pid}`) });
  synth = Template.fromStack(new IoCreditsStack(app, 'io-credits')).toJSON() as CfnTemplate;
}, 180_000);

afterAll(async () => {
  await standIn?.close();
  rmSync(OUT, { recursive: true, force: true });
  rmSync(join('.build', `synth-${process.pid}`), { recursive: true, force: true });
});

describe('sst build, offline', () => {
  it('builds, asking AWS only who the caller is and whether the bootstrap stacks exist', () => {
    expect(built.code, built.output).toBe(0);
    expect(built.output).toContain('Built: 1 stack');
    expect([...new Set(standIn.requests)].sort()).toEqual([
      'DescribeStacks CDKToolkit',
      'DescribeStacks SSTBootstrap',
      'GetCallerIdentity',
    ]);
  });

  it('holds the same resources as npm run synth, plus the custom resource handler SST puts in every stack', () => {
    const ids = (t: CfnTemplate) => Object.keys(t.Resources).map(sameAcrossStacks).sort();
    const sstOnly = ids(sst).filter((id) => !ids(synth).includes(id));
    expect(sstOnly).toEqual(['CustomResourceHandlerE8FB56BA', 'CustomResourceHandlerServiceRole41AEC181']);
    expect(ids(synth).filter((id) => !ids(sst).includes(id))).toEqual([]);
    for (const [id, resource] of Object.entries(synth.Resources)) {
      const twin = Object.entries(sst.Resources).find(([other]) => sameAcrossStacks(other) === sameAcrossStacks(id));
      expect(twin?.[1].Type, id).toBe(resource.Type);
    }
  });

  it('bundles the same code into every function', () => {
    const code = (t: CfnTemplate) =>
      Object.fromEntries(
        Object.entries(t.Resources)
          .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('IoCreditsFn'))
          .map(([id, r]) => [id, r.Properties.Code.S3Key]),
      );
    expect(Object.keys(code(sst))).toHaveLength(Object.keys(ACCESS).length);
    expect(code(sst)).toEqual(code(synth));
  });

  it('takes the issuer, audience and client from the environment instead of stack parameters', () => {
    const authorizer = Object.values(sst.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Authorizer')!;
    expect(authorizer.Properties.JwtConfiguration).toEqual({
      Issuer: 'https://id.example.net',
      Audience: ['io-credits', 'io-cloud'],
    });
    expect(Object.keys(sst.Parameters ?? {})).not.toContain('JwtIssuer');
    expect(Object.keys(synth.Parameters ?? {})).toContain('JwtIssuer');
  });

  it('declares the outputs with stack.addOutputs, as the plain stack does', () => {
    expect(Object.keys(sst.Outputs)).toEqual(expect.arrayContaining(Object.keys(synth.Outputs)));
    expect(JSON.parse(String(sst.Outputs.SSTMetadata!.Value))).toMatchObject({ app: 'io-credits', stage: 'ci' });
  });

  it('targets the account STS named', () => {
    const manifest = JSON.parse(readFileSync(join(OUT, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { environment?: string }>;
    };
    const environments = Object.values(manifest.artifacts).flatMap((a) => (a.environment ? [a.environment] : []));
    expect(environments).toEqual([`aws://${STAND_IN_ACCOUNT}/us-east-1`]);
  });
});

describe("SST's terminal UI", () => {
  it('loads on the React it was built for (18), beside the app on React 19: sst deploy shows progress', async () => {
    const sstRequire = createRequire(SST_CLI);
    expect(createRequire(sstRequire.resolve('ink')).resolve('react')).toBe(sstRequire.resolve('react'));
    expect(JSON.parse(readFileSync(sstRequire.resolve('react/package.json'), 'utf8')).version).toMatch(/^18\./);
    const deployUi = join(SST_CLI, '..', 'ui', 'deploy.js');
    await expect(import(deployUi)).resolves.toHaveProperty('DeploymentUI');
  });
});
