// Whether anyone listens: an operation writes its events only when the account has an endpoint of
// its own (a count on the account item, changed in the same transaction as the endpoint) or an
// endpoint for every account exists, so an account nobody listens to pays nothing for events.
// Endpoints for every account are read at most once a minute per process: one registered on
// another process starts receiving within that minute; on this process, at once.

import { keys } from '../table/keys.js';
import type { LedgerTable } from '../table/table.js';

export const GLOBAL_SUBSCRIBERS_TTL_MS = 60_000;

export class GlobalSubscribers {
  private known: { any: boolean; atMs: number } | undefined;

  constructor(private readonly table: LedgerTable) {}

  async any(nowMs: number): Promise<boolean> {
    if (this.known && nowMs - this.known.atMs < GLOBAL_SUBSCRIBERS_TTL_MS && nowMs >= this.known.atMs)
      return this.known.any;
    const { items } = await this.table.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.webhookSubscriptionsPk('*') },
      ProjectionExpression: 'pk',
      Limit: 1,
    });
    this.known = { any: items.length > 0, atMs: nowMs };
    return this.known.any;
  }

  /** An endpoint for every account was registered or removed here: read again next time. */
  forget(): void {
    this.known = undefined;
  }
}
