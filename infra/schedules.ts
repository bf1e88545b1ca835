// EventBridge Scheduler's part. Grace deadlines: one-time schedules that the charges function
// creates (core/grace) in the grace schedule group, which the scheduler runs by assuming a role
// that may invoke the grace function and nothing else; that function's name is fixed
// (`<stack>-grace`), so its ARN is known before the function exists and can be given to the
// functions that create schedules. The recurring jobs: the nightly expiry (00:05 UTC), the daily
// close (00:30 UTC) and the sweep (every 5 minutes), under a role of their own.

import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';

/** Where grace schedules go and what they invoke, as the functions that manage them are told. */
export interface GraceScheduling {
  groupName: string;
  functionName: string;
  functionArn: string;
  /** The role the scheduler assumes to invoke the grace function. */
  role: Role;
  /** Every schedule of the group, for the statements that create or delete them. */
  schedulesArn: string;
}

export function addGraceScheduling(scope: Construct): GraceScheduling {
  const stack = Stack.of(scope);
  const group = new CfnScheduleGroup(scope, 'GraceScheduleGroup', { name: `${stack.stackName}-grace` });
  const functionName = `${stack.stackName}-grace`;
  const functionArn = stack.formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: functionName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const role = new Role(scope, 'GraceSchedulerRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    description: 'EventBridge Scheduler invokes the grace function, and nothing else',
  });
  role.addToPolicy(mayInvoke([functionArn]));
  return {
    groupName: group.name!,
    functionName,
    functionArn,
    role,
    schedulesArn: `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${group.name}/*`,
  };
}

export function addJobSchedules(
  scope: Construct,
  jobs: { expiryFanout: LambdaFunction; sweep: LambdaFunction; close: LambdaFunction },
): void {
  const role = new Role(scope, 'JobsSchedulerRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    description: 'EventBridge Scheduler runs the nightly expiry, the sweep and the daily close',
  });
  role.addToPolicy(mayInvoke([jobs.expiryFanout.functionArn, jobs.sweep.functionArn, jobs.close.functionArn]));
  new CfnSchedule(scope, 'NightlyExpiry', {
    description: 'IO Credits nightly expiry: fan-out of accounts with lots due',
    scheduleExpression: 'cron(5 0 * * ? *)',
    scheduleExpressionTimezone: 'UTC',
    flexibleTimeWindow: { mode: 'OFF' },
    target: {
      arn: jobs.expiryFanout.functionArn,
      roleArn: role.roleArn,
      retryPolicy: { maximumRetryAttempts: 3 },
    },
  });
  new CfnSchedule(scope, 'DailyClose', {
    description: "IO Credits daily close: yesterday's digest (cut-off 00:00 UTC) to the Object Lock bucket",
    scheduleExpression: 'cron(30 0 * * ? *)',
    scheduleExpressionTimezone: 'UTC',
    flexibleTimeWindow: { mode: 'OFF' },
    target: { arn: jobs.close.functionArn, roleArn: role.roleArn, retryPolicy: { maximumRetryAttempts: 3 } },
  });
  new CfnSchedule(scope, 'Sweep', {
    description: 'IO Credits sweep: overdue pending charges and unpublished outcomes',
    scheduleExpression: 'rate(5 minutes)',
    flexibleTimeWindow: { mode: 'OFF' },
    target: { arn: jobs.sweep.functionArn, roleArn: role.roleArn },
  });
}

function mayInvoke(functionArns: string[]): PolicyStatement {
  return new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: functionArns });
}
