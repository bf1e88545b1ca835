// Publishing charge outcomes exactly as often as needed: at least once, and then no more. The
// transaction that ends a charge puts its item under the OUTBOX index keys; after the commit the
// publisher sends the message and takes the item out of the index. If the send or the removal
// fails, the sweep finds the item still in the index and sends it again (the consumer dedupes
// by outcomeId).
//
//   commit (charge final, in OUTBOX) ──send──► queue ──remove index keys──► published
//         │                                 ▲
//         └── crash / send failed ── sweep ─┘

import { chargeFromItem, chargeItems } from '../items/charge.js';
import { getCharge } from '../ledger/charge.js';
import type { ChargeOutcome } from '../ledger/draft.js';
import type { Ledger } from '../ledger/ledger.js';
import { formatMicros } from '../money.js';
import { chargeQueueIndex } from '../table/keys.js';
import { type OutcomeMessage, type OutcomeQueue, outcomeId } from './port.js';

/** Outcomes younger than this are left to the publisher that is sending them now. */
export const SWEEP_GRACE_MS = 60_000;
export const MAX_SWEEP_OUTCOMES = 1_000;
const PAGE_SIZE = 100;

export class OutcomePublisher {
  constructor(
    private readonly ledger: Ledger,
    private readonly queue: OutcomeQueue,
  ) {}

  async publish(outcomes: ChargeOutcome[]): Promise<{ sent: number; failed: number }> {
    if (outcomes.length === 0) return { sent: 0, failed: 0 };
    const messages = await Promise.all(outcomes.map((o) => this.message(o)));
    const { failed } = await this.queue.send(messages);
    const failedIds = new Set(failed);
    const sent = outcomes.filter((o) => !failedIds.has(outcomeId(o.chargeId, o.status)));
    await Promise.all(sent.map((o) => this.markPublished(o)));
    return { sent: sent.length, failed: failed.length };
  }

  /** Sends the outcomes still in the OUTBOX index, older than SWEEP_GRACE_MS (never a scan). */
  async sweep(limit = MAX_SWEEP_OUTCOMES): Promise<{ found: number; sent: number; failed: number }> {
    const upTo = chargeQueueIndex.skUpTo(this.ledger.nowMs() - SWEEP_GRACE_MS);
    const found: ChargeOutcome[] = [];
    await this.ledger.table.forEachDuePage(
      chargeQueueIndex,
      chargeQueueIndex.shards('OUTBOX'),
      upTo,
      async (page) => {
        for (const key of page) {
          if (found.length >= limit) return false;
          const item = await this.ledger.table.get({ pk: String(key.pk), sk: String(key.sk) });
          if (!item) continue;
          const charge = chargeFromItem(item);
          if (charge.status === 'pending_payment') continue;
          const occurredAt = charge.endedAt ?? charge.paidAt ?? charge.createdAt;
          found.push({
            chargeId: charge.chargeId,
            accountId: charge.accountId,
            status: charge.status,
            amount: charge.amount,
            wasPending: false,
            deploymentId: charge.deploymentId,
            occurredAt,
          });
        }
        return true;
      },
      PAGE_SIZE,
    );
    const result = await this.publish(found);
    return { found: found.length, ...result };
  }

  private async message(outcome: ChargeOutcome): Promise<OutcomeMessage> {
    const deploymentId =
      outcome.deploymentId ?? (await getCharge(this.ledger, outcome.accountId, outcome.chargeId)).deploymentId;
    return {
      outcomeId: outcomeId(outcome.chargeId, outcome.status),
      chargeId: outcome.chargeId,
      accountId: outcome.accountId,
      deploymentId,
      status: outcome.status,
      amount: formatMicros(outcome.amount),
      occurredAt: outcome.occurredAt,
    };
  }

  /** Takes the charge out of the OUTBOX index; a charge already out (a second sender) is fine. */
  private async markPublished(outcome: ChargeOutcome): Promise<void> {
    await this.ledger.table.update(chargeItems.published(outcome.accountId, outcome.chargeId, outcome.status));
  }
}
