// The scheduler and queue adapters. The AWS ones (EventBridge Scheduler, SQS) are checked for
// their exact requests with aws-sdk-client-mock; both they and the local stand-ins pass the same
// behavioural tests; the local ones also keep their promises of restarts, retries and dead letters.

import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { atExpression, EventBridgeGraceScheduler } from '../core/grace/eventbridge.js';
import { LocalGraceScheduler, MAX_ATTEMPTS } from '../core/grace/local.js';
import type { GraceEvent, GraceScheduler } from '../core/grace/port.js';
import { ManualClock } from '../core/index.js';
import { LocalOutcomeQueue, LocalQueue } from '../core/outcomes/local-queue.js';
import type { OutcomeMessage, OutcomeQueue } from '../core/outcomes/port.js';
import { SqsOutcomeQueue } from '../core/outcomes/sqs.js';
import { keys } from '../core/table/keys.js';
import { type LedgerTable, MAX_QUERY_PAGES } from '../core/table/table.js';
import { newLedger, T0 } from './support/ledger.js';

const CHARGE = 'ch_01KG9YS7G0B9EM6WWH1PNE2SCF';
const OPTIONS = {
  groupName: 'io-credits-grace',
  targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:io-credits-grace',
  roleArn: 'arn:aws:iam::123456789012:role/io-credits-scheduler',
};

/** EventBridge Scheduler as a mock with state: a second create conflicts, deleting nothing is not found. */
function statefulScheduler() {
  const schedules = new Map<string, unknown>();
  const mock = mockClient(SchedulerClient);
  mock.on(CreateScheduleCommand).callsFake((input: { Name: string }) => {
    if (schedules.has(input.Name)) throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    schedules.set(input.Name, input);
    return {};
  });
  mock.on(DeleteScheduleCommand).callsFake((input: { Name: string }) => {
    if (!schedules.delete(input.Name))
      throw new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} });
    return {};
  });
  return { mock, count: () => schedules.size };
}

describe('EventBridge Scheduler adapter: the exact requests', () => {
  it(
    'creates a one-time UTC schedule in the group, no flexible window, deleted after completion, targeting ' +
      'the grace Lambda',
    async () => {
      const mock = mockClient(SchedulerClient);
      mock.on(CreateScheduleCommand).resolves({});
      await new EventBridgeGraceScheduler({
        ...OPTIONS,
        client: new SchedulerClient({ region: 'eu-west-1' }),
      }).schedule({
        accountId: 'ada',
        chargeId: CHARGE,
        dueAtMs: Date.UTC(2026, 10, 25, 10, 5, 0, 250),
      });
      expect(mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toEqual({
        Name: `grace-${CHARGE}`,
        GroupName: 'io-credits-grace',
        ScheduleExpression: 'at(2026-11-25T10:05:01)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: OPTIONS.targetArn,
          RoleArn: OPTIONS.roleArn,
          Input: JSON.stringify({ accountId: 'ada', chargeId: CHARGE }),
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        },
      });
      mock.restore();
    },
  );

  it('a conflict on create and a not-found on delete are success; other errors are not', async () => {
    const mock = mockClient(SchedulerClient);
    mock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    mock
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    const scheduler = new EventBridgeGraceScheduler({
      ...OPTIONS,
      client: new SchedulerClient({ region: 'eu-west-1' }),
    });
    await expect(scheduler.schedule({ accountId: 'ada', chargeId: CHARGE, dueAtMs: T0 })).resolves.toBeUndefined();
    await expect(scheduler.cancel(CHARGE)).resolves.toBeUndefined();
    expect(mock.commandCalls(DeleteScheduleCommand)[0]!.args[0].input).toEqual({
      Name: `grace-${CHARGE}`,
      GroupName: 'io-credits-grace',
    });
    mock.on(CreateScheduleCommand).rejects(new Error('throttled'));
    await expect(scheduler.schedule({ accountId: 'ada', chargeId: CHARGE, dueAtMs: T0 })).rejects.toThrow('throttled');
    mock.restore();
  });

  it('rounds a deadline up to the whole second, so it never fires early', () => {
    expect(atExpression(Date.UTC(2026, 0, 31, 23, 59, 59, 1))).toBe('at(2026-02-01T00:00:00)');
    expect(atExpression(Date.UTC(2026, 0, 31, 12, 0, 0, 0))).toBe('at(2026-01-31T12:00:00)');
  });
});

// ---- the same behaviour from both schedulers ----

interface SchedulerUnderTest {
  scheduler: GraceScheduler;
  count(): Promise<number>;
  done(): void;
}

const schedulers: [string, () => Promise<SchedulerUnderTest>][] = [
  [
    'EventBridge Scheduler',
    async () => {
      const { mock, count } = statefulScheduler();
      return {
        scheduler: new EventBridgeGraceScheduler({ ...OPTIONS, client: new SchedulerClient({ region: 'eu-west-1' }) }),
        count: async () => count(),
        done: () => mock.restore(),
      };
    },
  ],
  [
    'local scheduler',
    async () => {
      const { ledger } = await newLedger();
      const scheduler = new LocalGraceScheduler(ledger.table, ledger.clock, async () => undefined);
      const count = async () =>
        (
          await ledger.table.query({
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.localSchedule('x').pk },
          })
        ).items.length;
      return { scheduler, count, done: () => scheduler.stop() };
    },
  ],
];

describe.each(schedulers)('%s: the scheduler port', (_name, make) => {
  it('scheduling a charge twice makes one schedule; cancelling removes it; cancelling again succeeds', async () => {
    const { scheduler, count, done } = await make();
    try {
      await scheduler.schedule({ accountId: 'ada', chargeId: CHARGE, dueAtMs: T0 + 300_000 });
      await scheduler.schedule({ accountId: 'ada', chargeId: CHARGE, dueAtMs: T0 + 300_000 });
      expect(await count()).toBe(1);
      await scheduler.cancel(CHARGE);
      expect(await count()).toBe(0);
      await expect(scheduler.cancel(CHARGE)).resolves.toBeUndefined();
    } finally {
      done();
    }
  });
});

describe('local scheduler: restarts, the manual clock, retries', () => {
  it('schedules survive a restart: re-armed on start, overdue ones fired at once', async () => {
    const { ledger, clock } = await newLedger();
    const fired: GraceEvent[] = [];
    const before = new LocalGraceScheduler(ledger.table, clock, async (e) => void fired.push(e));
    await before.schedule({ accountId: 'ada', chargeId: CHARGE, dueAtMs: clock.nowMs() + 300_000 });
    before.stop(); // the process ends
    clock.advance(600_000);
    const after = new LocalGraceScheduler(ledger.table, clock, async (e) => void fired.push(e));
    await after.start();
    expect(fired).toEqual([{ accountId: 'ada', chargeId: CHARGE }]);
    expect(await ledger.table.get(keys.localSchedule(CHARGE))).toBeUndefined();
  });

  it('follows the manual clock: nothing fires before the deadline, it fires once after', async () => {
    const { ledger, clock } = await newLedger();
    const fired: string[] = [];
    const scheduler = new LocalGraceScheduler(ledger.table, clock, async (e) => void fired.push(e.chargeId));
    await scheduler.schedule({ accountId: 'ada', chargeId: CHARGE, dueAtMs: clock.nowMs() + 300_000 });
    clock.advance(299_999);
    expect(await scheduler.fireDue()).toBe(0);
    clock.advance(1);
    expect(await scheduler.fireDue()).toBe(1);
    expect(await scheduler.fireDue()).toBe(0);
    expect(fired).toEqual([CHARGE]);
  });

  it(`retries a firing that throws, and gives up after ${MAX_ATTEMPTS} attempts`, async () => {
    const { ledger } = await newLedger();
    const clock = new ManualClock(T0);
    let calls = 0;
    const scheduler = new LocalGraceScheduler(ledger.table, clock, async () => {
      calls += 1;
      throw new Error('table unavailable');
    });
    await scheduler.schedule({ accountId: 'ada', chargeId: CHARGE, dueAtMs: T0 });
    for (let i = 0; i < MAX_ATTEMPTS + 2; i += 1) await scheduler.fireDue();
    expect(calls).toBe(MAX_ATTEMPTS);
    expect(await ledger.table.get(keys.localSchedule(CHARGE))).toBeUndefined();
  });

  it(`reads its schedules in at most ${MAX_QUERY_PAGES} pages, and fails loudly past them`, async () => {
    const { table, clock } = await newLedger();
    let pages = 0;
    // A table whose pages never end (a paging bug, say): every page empty, and another after it.
    const endless = Object.assign(Object.create(table) as LedgerTable, {
      query: async () => {
        pages += 1;
        return { items: [], lastKey: { pk: 'SCHEDULE', sk: `page-${pages}` } };
      },
    });
    const scheduler = new LocalGraceScheduler(endless, clock, async () => undefined);
    await expect(scheduler.start()).rejects.toThrow(`past ${MAX_QUERY_PAGES} pages`);
    expect(pages).toBe(MAX_QUERY_PAGES);
  });
});

// ---- the payment-outcomes queue ----

const message = (n: number): OutcomeMessage => ({
  outcomeId: `ch_${String(n).padStart(26, '0')}:paid`,
  chargeId: `ch_${String(n).padStart(26, '0')}`,
  accountId: 'ada',
  deploymentId: `dep-${n}`,
  status: 'paid',
  amount: '1.00',
  occurredAt: '2026-11-25T10:00:00.000Z',
});

describe('SQS adapter: the exact requests', () => {
  it('sends ten messages a call with the outcomeId as an attribute, and retries failed entries once', async () => {
    const mock = mockClient(SQSClient);
    let call = 0;
    mock
      .on(SendMessageBatchCommand)
      .callsFake(() =>
        ++call === 1
          ? { Successful: [], Failed: [{ Id: 'm3', SenderFault: false, Code: 'InternalError' }] }
          : { Successful: [], Failed: [] },
      );
    const queue = new SqsOutcomeQueue(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/io-credits-payment-outcomes',
      new SQSClient({ region: 'eu-west-1' }),
    );
    const messages = Array.from({ length: 23 }, (_, i) => message(i));
    expect(await queue.send(messages)).toEqual({ failed: [] });
    const inputs = mock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.Entries!.length)).toEqual([10, 1, 10, 3]);
    expect(inputs[1]!.Entries![0]!.MessageBody).toBe(JSON.stringify(messages[3]));
    expect(inputs[0]!.Entries![0]).toEqual({
      Id: 'm0',
      MessageBody: JSON.stringify(messages[0]),
      MessageAttributes: {
        outcomeId: { DataType: 'String', StringValue: messages[0]!.outcomeId },
        status: { DataType: 'String', StringValue: 'paid' },
      },
    });
    mock.restore();
  });

  it('answers what still failed after the retry, and on a FIFO queue dedupes by outcomeId', async () => {
    const mock = mockClient(SQSClient);
    mock
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: 'm0', SenderFault: false, Code: 'InternalError' }] });
    const queue = new SqsOutcomeQueue(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/outcomes.fifo',
      new SQSClient({ region: 'eu-west-1' }),
    );
    expect(await queue.send([message(1)])).toEqual({ failed: [message(1).outcomeId] });
    expect(mock.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]).toMatchObject({
      MessageGroupId: 'ada',
      MessageDeduplicationId: `${message(1).chargeId}-paid`,
    });
    mock.restore();
  });
});

const queues: [string, () => { queue: OutcomeQueue; delivered: () => Promise<string[]>; done: () => void }][] = [
  [
    'SQS',
    () => {
      const mock = mockClient(SQSClient);
      const sent: string[] = [];
      mock.on(SendMessageBatchCommand).callsFake((input: { Entries: { MessageBody: string }[] }) => {
        for (const e of input.Entries) sent.push((JSON.parse(e.MessageBody) as OutcomeMessage).outcomeId);
        return { Successful: [], Failed: [] };
      });
      return {
        queue: new SqsOutcomeQueue('https://sqs.eu-west-1.amazonaws.com/1/q', new SQSClient({ region: 'eu-west-1' })),
        delivered: async () => sent,
        done: () => mock.restore(),
      };
    },
  ],
  [
    'local queue',
    () => {
      const got: string[] = [];
      const local = new LocalQueue<OutcomeMessage>({ name: 'test', consumer: async (m) => void got.push(m.outcomeId) });
      return {
        queue: new LocalOutcomeQueue(local),
        delivered: async () => (await local.drained(), got),
        done: () => undefined,
      };
    },
  ],
];

describe.each(queues)('%s: the outcome queue port', (_name, make) => {
  it('delivers every message sent, with its outcomeId', async () => {
    const { queue, delivered, done } = make();
    try {
      const messages = Array.from({ length: 12 }, (_, i) => message(i));
      expect(await queue.send(messages)).toEqual({ failed: [] });
      expect((await delivered()).sort()).toEqual(messages.map((m) => m.outcomeId).sort());
    } finally {
      done();
    }
  });
});

describe('local queue: at least once, retries, dead letters', () => {
  let flaky: LocalQueue<OutcomeMessage>;
  const seen = new Map<string, number>();

  beforeAll(() => {
    flaky = new LocalQueue<OutcomeMessage>({
      name: 'flaky',
      retryDelayMs: 1,
      consumer: async (m) => {
        const n = (seen.get(m.outcomeId) ?? 0) + 1;
        seen.set(m.outcomeId, n);
        if (m.deploymentId === 'always-fails' || n < 3) throw new Error(`consumer down (${n})`);
      },
    });
  });

  it('delivers at most `concurrency` messages at once', async () => {
    let running = 0;
    let most = 0;
    const bounded = new LocalQueue<OutcomeMessage>({
      name: 'bounded',
      concurrency: 4,
      consumer: async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
      },
    });
    bounded.send(Array.from({ length: 40 }, (_, i) => message(100 + i)));
    await bounded.drained();
    expect(most).toBe(4);
  });

  it('a message whose consumer fails twice is delivered on the third receive', async () => {
    flaky.send([message(7)]);
    await flaky.drained();
    expect(seen.get(message(7).outcomeId)).toBe(3);
    expect(flaky.deadLetters).toEqual([]);
  });

  it('a message that fails five receives lands in the dead-letter list', async () => {
    const poison = { ...message(8), deploymentId: 'always-fails' };
    flaky.send([poison]);
    await flaky.drained();
    expect(seen.get(poison.outcomeId)).toBe(5);
    expect(flaky.deadLetters).toEqual([{ message: poison, error: 'consumer down (5)' }]);
  });
});
