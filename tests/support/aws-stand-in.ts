// A local stand-in for the two AWS calls `sst build` makes before it writes a template: STS's
// GetCallerIdentity (which account the app is built for) and CloudFormation's DescribeStacks on
// the CDK and SST bootstrap stacks (SST checks they exist before it synthesizes). Both are AWS
// query-protocol calls (a form-encoded POST answered with XML), reached through the SDK's
// AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_CLOUDFORMATION. Every request is recorded; anything
// else is answered with an error, so a new call by a later SST shows up as a failing build.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STAND_IN_ACCOUNT = '123456789012';

export interface AwsStandIn {
  url: string;
  /** `Action` (and `StackName` when given) of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

const BOOTSTRAP_STACKS: Record<string, Record<string, string>> = {
  // CDK's bootstrap stack: SST needs version 14 or later and the assets bucket.
  CDKToolkit: { BootstrapVersion: '28', BucketName: `cdk-hnb659fds-assets-${STAND_IN_ACCOUNT}-us-east-1` },
  // SST's own bootstrap stack, at the version SST 2.49.8 expects.
  SSTBootstrap: { Version: '7.4', BucketName: `sstbootstrap-${STAND_IN_ACCOUNT}` },
};

function callerIdentity(): string {
  return (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
    `<Arn>arn:aws:iam::${STAND_IN_ACCOUNT}:user/ci</Arn><UserId>AIDACISTANDIN</UserId>` +
    `<Account>${STAND_IN_ACCOUNT}</Account></GetCallerIdentityResult>` +
    '<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></GetCallerIdentityResponse>'
  );
}

function describeStack(name: string, outputs: Record<string, string>): string {
  const members = Object.entries(outputs)
    .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`)
    .join('');
  return (
    '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult>' +
    `<Stacks><member><StackName>${name}</StackName>` +
    `<StackId>arn:aws:cloudformation:us-east-1:${STAND_IN_ACCOUNT}:stack/${name}/stand-in</StackId>` +
    '<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>' +
    `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
    '<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeStacksResponse>'
  );
}

function unknownCall(what: string): string {
  return (
    '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>' +
    `<Message>${what} is not answered by the local stand-in</Message></Error>` +
    '<RequestId>stand-in</RequestId></ErrorResponse>'
  );
}

export async function startAwsStandIn(): Promise<AwsStandIn> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const action = form.get('Action') ?? `${req.method} ${req.url}`;
      const stackName = form.get('StackName');
      const what = stackName ? `${action} ${stackName}` : action;
      requests.push(what);
      res.setHeader('content-type', 'text/xml');
      const bootstrap = stackName ? BOOTSTRAP_STACKS[stackName] : undefined;
      if (action === 'GetCallerIdentity') res.end(callerIdentity());
      else if (action === 'DescribeStacks' && stackName && bootstrap) res.end(describeStack(stackName, bootstrap));
      else {
        res.statusCode = 400;
        res.end(unknownCall(what));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
