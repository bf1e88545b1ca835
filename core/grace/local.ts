// The local grace scheduler (npm start and tests): schedules are items in the table, so they
// survive a restart; `start` re-arms them and fires the overdue ones at once. With the system
// clock each schedule has a timer; with the manual test clock, `fireDue` runs when the clock
// moves. A firing that throws is retried (like EventBridge's retry policy) up to MAX_ATTEMPTS,
// then dropped with a log line; the sweep still enforces the deadline.

import * as z from 'zod';
import { readItem } from '../items/fields.js';
import { errorFields, log } from '../log.js';
import { keys } from '../table/keys.js';
import { type Item, type LedgerTable, MAX_QUERY_PAGES } from '../table/table.js';
import type { Clock } from '../time.js';
import { isManualClock } from '../time.js';
import type { GraceEvent, GraceSchedule, GraceScheduler } from './port.js';

const scheduleShape = z.object({
  accountId: z.string(),
  chargeId: z.string(),
  dueAtMs: z.number(),
  attempts: z.number(),
});

export const MAX_ATTEMPTS = 5;
const RETRY_DELAY_MS = 1_000;
/** setTimeout's longest delay; a later deadline is re-armed when this one ends. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Schedules one read arms or fires; the rest wait for the next (and the sweep enforces every deadline). */
const MAX_SCHEDULES_READ = 10_000;

export class LocalGraceScheduler implements GraceScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly firing = new Set<string>();
  private stopped = false;

  constructor(
    private readonly table: LedgerTable,
    private readonly clock: Clock,
    private readonly fire: (event: GraceEvent) => Promise<unknown>,
  ) {}

  async schedule(schedule: GraceSchedule): Promise<void> {
    await this.table.update({
      Key: keys.localSchedule(schedule.chargeId),
      UpdateExpression:
        'SET itemType = :type, accountId = :account, chargeId = :charge, dueAtMs = :due, attempts = ' +
        'if_not_exists(attempts, :zero)',
      ExpressionAttributeValues: {
        ':type': 'localSchedule',
        ':account': schedule.accountId,
        ':charge': schedule.chargeId,
        ':due': schedule.dueAtMs,
        ':zero': 0,
      },
    });
    this.arm(schedule, schedule.dueAtMs);
  }

  async cancel(chargeId: string): Promise<void> {
    this.disarm(chargeId);
    await this.table.delete(keys.localSchedule(chargeId));
  }

  /** After a restart: arms every kept schedule; overdue ones fire now. */
  async start(): Promise<number> {
    this.stopped = false;
    const schedules = await this.all();
    for (const schedule of schedules) this.arm(schedule, schedule.dueAtMs);
    if (isManualClock(this.clock)) await this.fireDue();
    return schedules.length;
  }

  stop(): void {
    this.stopped = true;
    for (const chargeId of [...this.timers.keys()]) this.disarm(chargeId);
  }

  /** Fires every schedule that is due by the clock (the manual clock calls this when it moves). */
  async fireDue(): Promise<number> {
    const due = (await this.all()).filter((s) => s.dueAtMs <= this.clock.nowMs());
    for (const schedule of due) await this.fireOne(schedule);
    return due.length;
  }

  pendingCount(): number {
    return this.timers.size;
  }

  private async all(): Promise<(GraceSchedule & { attempts: number })[]> {
    const found: (GraceSchedule & { attempts: number })[] = [];
    let startKey: Item | undefined;
    for (let page = 0; page < MAX_QUERY_PAGES; page += 1) {
      const out = await this.table.query({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.localSchedule('x').pk },
        ExclusiveStartKey: startKey,
      });
      for (const item of out.items) found.push(readItem('local schedule', scheduleShape, item));
      startKey = out.lastKey;
      if (!startKey || found.length >= MAX_SCHEDULES_READ) return found;
    }
    throw new Error(`the local grace schedules run past ${MAX_QUERY_PAGES} pages`);
  }

  private arm(schedule: GraceSchedule, atMs: number): void {
    this.disarm(schedule.chargeId);
    if (this.stopped || isManualClock(this.clock)) return;
    const delay = Math.max(0, Math.min(atMs - this.clock.nowMs(), MAX_TIMER_MS));
    const timer = setTimeout(() => {
      this.timers.delete(schedule.chargeId);
      if (atMs - this.clock.nowMs() > 0) this.arm(schedule, atMs);
      else void this.fireOne(schedule);
    }, delay);
    timer.unref();
    this.timers.set(schedule.chargeId, timer);
  }

  private disarm(chargeId: string): void {
    const timer = this.timers.get(chargeId);
    if (timer) clearTimeout(timer);
    this.timers.delete(chargeId);
  }

  private async fireOne(schedule: GraceSchedule): Promise<void> {
    if (this.firing.has(schedule.chargeId)) return;
    this.firing.add(schedule.chargeId);
    try {
      await this.fire({ accountId: schedule.accountId, chargeId: schedule.chargeId });
      await this.table.delete(keys.localSchedule(schedule.chargeId));
    } catch (error) {
      const stored = await this.table.get(keys.localSchedule(schedule.chargeId));
      const attempts = (stored ? readItem('local schedule', scheduleShape, stored).attempts : 0) + 1;
      if (attempts >= MAX_ATTEMPTS) {
        log().error('grace schedule gave up after its retries; the sweep will end the charge', {
          chargeId: schedule.chargeId,
          attempts,
          error: errorFields(error),
        });
        await this.table.delete(keys.localSchedule(schedule.chargeId));
      } else {
        await this.table.update({
          Key: keys.localSchedule(schedule.chargeId),
          UpdateExpression: 'SET attempts = :n',
          ExpressionAttributeValues: { ':n': attempts },
        });
        this.arm(schedule, this.clock.nowMs() + RETRY_DELAY_MS * 2 ** (attempts - 1));
      }
    } finally {
      this.firing.delete(schedule.chargeId);
    }
  }
}
