// Grace deadlines on EventBridge Scheduler: a one-time `at(...)` schedule in UTC per pending
// charge, in a dedicated group, with no flexible window, deleted by the service after it fires,
// targeting the grace Lambda with the charge as input. A create that finds the schedule already
// there (a retry) and a delete that finds it gone (it fired, or a retry) both count as success.

import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { type GraceEvent, type GraceSchedule, type GraceScheduler, scheduleName } from './port.js';

export interface EventBridgeSchedulerOptions {
  groupName: string;
  /** The grace Lambda's ARN. */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  roleArn: string;
  client?: SchedulerClient;
}

/** Retries of one invocation EventBridge makes before giving up (the sweep still catches it). */
const MAX_RETRY_ATTEMPTS = 10;
const MAX_EVENT_AGE_SECONDS = 3_600;

export class EventBridgeGraceScheduler implements GraceScheduler {
  private readonly client: SchedulerClient;

  constructor(private readonly options: EventBridgeSchedulerOptions) {
    this.client = options.client ?? new SchedulerClient({});
  }

  async schedule({ accountId, chargeId, dueAtMs }: GraceSchedule): Promise<void> {
    const input: GraceEvent = { accountId, chargeId };
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: scheduleName(chargeId),
          GroupName: this.options.groupName,
          ScheduleExpression: atExpression(dueAtMs),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.options.targetArn,
            RoleArn: this.options.roleArn,
            Input: JSON.stringify(input),
            RetryPolicy: { MaximumRetryAttempts: MAX_RETRY_ATTEMPTS, MaximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS },
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConflictException) return;
      throw error;
    }
  }

  async cancel(chargeId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(chargeId), GroupName: this.options.groupName }),
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
  }
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the whole second so it never fires early. */
export function atExpression(dueAtMs: number): string {
  const seconds = Math.ceil(dueAtMs / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}
