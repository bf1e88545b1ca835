// Making each automatic top-up's PaymentIntent (SPEC §8), after the transaction that started it
// committed (ledger/auto-top-up.ts): the saved card is charged off session with the purchase id as
// the provider's idempotency key, so however often this runs for one top-up (the webhook worker, a
// retry, the sweep) the card is charged once. The provider's payment events then settle the
// purchase like any other.

import { accountFromItem } from '../items/account.js';
import { purchaseItems } from '../items/purchase.js';
import { purchaseFromItem } from '../items/purchase-read.js';
import type { Ledger } from '../ledger/ledger.js';
import { log } from '../log.js';
import { formatMicros } from '../money.js';
import { accountOfPk, chargeQueueIndex, keys, SK_PREFIX } from '../table/keys.js';
import type { SavedCardCharger } from './port.js';

export async function requestTopUp(
  ledger: Ledger,
  charger: SavedCardCharger,
  accountId: string,
  purchaseId: string,
): Promise<'sent' | 'skipped'> {
  const item = await ledger.table.get(keys.purchase(accountId, purchaseId));
  if (!item) return 'skipped';
  const purchase = purchaseFromItem(item);
  const account = accountFromItem(accountId, await ledger.table.get(keys.account(accountId)));
  const card = account.autoTopUp?.card;
  if (!purchase.autoTopUp || purchase.status !== 'pending' || purchase.providerRef || !card) {
    await ledger.table.update(purchaseItems.topUpSent(accountId, purchaseId, purchase.providerRef ?? 'none'));
    return 'skipped';
  }
  const { paymentIntentId } = await charger.chargeSavedCard({
    purchaseId,
    accountId,
    amount: purchase.amount,
    customerId: card.customerId,
    paymentMethodId: card.paymentMethodId,
  });
  await ledger.table.update(purchaseItems.topUpSent(accountId, purchaseId, paymentIntentId));
  log().info('auto top-up requested', {
    accountId,
    purchaseId,
    paymentIntentId,
    amount: formatMicros(purchase.amount),
  });
  return 'sent';
}

/**
 * Top-ups still waiting for their PaymentIntent a minute after they started (a crash, a provider
 * outage), each handed to `send` (the queue whose worker calls requestTopUp).
 */
export async function sweepTopUps(
  ledger: Ledger,
  send: (accountId: string, purchaseId: string) => Promise<unknown>,
): Promise<number> {
  const due: { accountId: string; purchaseId: string }[] = [];
  await ledger.table.forEachDuePage(
    chargeQueueIndex,
    chargeQueueIndex.shards('TOPUPQ'),
    chargeQueueIndex.skUpTo(ledger.nowMs() - 60_000),
    async (page) => {
      for (const key of page)
        due.push({
          accountId: accountOfPk(key.pk),
          purchaseId: String(key.sk).slice(SK_PREFIX.purchase.length),
        });
    },
  );
  for (const { accountId, purchaseId } of due) await send(accountId, purchaseId);
  return due.length;
}
