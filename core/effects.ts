// After a ledger transaction commits: schedule the grace deadline of each new pending charge,
// cancel the schedule of each charge that stopped waiting, publish each final outcome, and hand
// the events it wrote to the webhook queue. All of it is idempotent and all of it is found again
// by the sweeps if it fails here.

import type { GraceScheduler } from './grace/port.js';
import type { WebhookEvent } from './items/webhook.js';
import type { Commit, CommitEffects } from './ledger/ledger.js';
import type { OutcomePublisher } from './outcomes/publisher.js';

export class ChargeEffects implements CommitEffects {
  constructor(
    private readonly scheduler: GraceScheduler | undefined,
    private readonly publisher: OutcomePublisher | undefined,
    private readonly events?: (events: WebhookEvent[]) => Promise<unknown>,
    private readonly topUps?: (topUps: Commit['topUps']) => Promise<unknown>,
  ) {}

  async afterCommit({ outcomes, deadlines, events, topUps }: Commit): Promise<void> {
    const { scheduler, publisher } = this;
    const work: Promise<unknown>[] = [];
    if (scheduler) {
      for (const deadline of deadlines) work.push(scheduler.schedule(deadline));
      for (const outcome of outcomes) if (outcome.wasPending) work.push(scheduler.cancel(outcome.chargeId));
    }
    if (publisher) work.push(publisher.publish(outcomes));
    if (this.events && events.length > 0) work.push(this.events(events));
    if (this.topUps && topUps.length > 0) work.push(this.topUps(topUps));
    const failures = (await Promise.allSettled(work)).filter(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    if (failures.length > 0)
      throw new AggregateError(
        failures.map((f) => f.reason),
        `${failures.length} after-commit effects failed: ` +
          `${failures.map((f) => String(f.reason?.message ?? f.reason)).join('; ')}`,
      );
  }
}
