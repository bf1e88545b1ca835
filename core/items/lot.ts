// A lot's permanent record: what was granted, by whom and why, and later what expired of it and
// what a provider took back. Its live remaining credit is on the account item (items/account.ts);
// this record never changes the balance by itself. How it reads back is items/lot-read.ts: refunds
// write lots from the charges function, only the lot paths read them.

import type { LotKind } from '../account.js';
import { Conflict } from '../errors.js';
import type { Micros } from '../money.js';
import type { Product } from '../products.js';
import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { iso } from '../time.js';
import type { StaffMark } from './audit.js';
import type { ItemWrite } from './fields.js';

export type LotSource = 'stripe' | 'spherepay' | 'admin' | 'refund';

/** A lot with credit left, as the balance shows it. */
export interface Lot {
  lotId: string;
  kind: LotKind;
  amount: Micros;
  remaining: Micros;
  createdAt: string;
  expiresAt: string | null;
  withdrawable: boolean;
  /** Promotional credit for these products only (SPEC §10). */
  products?: readonly Product[];
}

export interface NewLot {
  kind: LotKind;
  amount: Micros;
  expiresAtMs: number | null;
  source: LotSource;
  reference: string;
  description: string;
  conditions?: string | undefined;
  products?: readonly Product[] | undefined;
  /** The member of staff who granted it (SPEC §14): promotional grants only. */
  grantedBy?: StaffMark | undefined;
}

export interface LotRecord {
  lotId: string;
  kind: LotKind;
  amount: Micros;
  source: LotSource;
  reference: string;
  description: string;
  conditions?: string;
  products?: readonly Product[];
  grantedBy?: StaffMark;
  createdAt: string;
  expiresAt: string | null;
  /** What the nightly run removed when the lot expired. */
  expired: Micros;
  /** What provider refunds and disputes took back, and how much of that had already expired. */
  reversed: Micros;
  reversedFromExpired: Micros;
}

export const lotItems = {
  granted(accountId: string, lotId: string, lot: NewLot, nowMs: number): Item {
    return {
      ...keys.lot(accountId, lotId),
      itemType: 'lot',
      lotId,
      kind: lot.kind,
      amount: lot.amount,
      source: lot.source,
      reference: lot.reference,
      description: lot.description,
      ...(lot.conditions ? { conditions: lot.conditions } : {}),
      ...(lot.products ? { products: [...lot.products] } : {}),
      ...(lot.grantedBy ? { grantedBy: lot.grantedBy } : {}),
      createdAt: iso(nowMs),
      expiresAt: lot.expiresAtMs === null ? null : iso(lot.expiresAtMs),
      withdrawable: lot.kind === 'purchased',
    };
  },

  /** The nightly run removed what the lot had left at its expiry. */
  expired(accountId: string, lotId: string, remaining: Micros, nowMs: number): ItemWrite {
    return {
      item: {
        Update: {
          Key: keys.lot(accountId, lotId),
          UpdateExpression: 'SET expired = :remaining, expiredAt = :now',
          ExpressionAttributeValues: { ':remaining': remaining, ':now': iso(nowMs) },
        },
      },
    };
  },

  /** A provider took back more of the lot; conditioned on what was taken back before, so two can not both count. */
  reversed(accountId: string, record: LotRecord, after: { reversed: Micros; reversedFromExpired: Micros }): ItemWrite {
    return {
      item: {
        Update: {
          Key: keys.lot(accountId, record.lotId),
          UpdateExpression: 'SET reversed = :reversed, reversedFromExpired = :fromExpired',
          ConditionExpression: 'attribute_not_exists(reversed) OR reversed = :before',
          ExpressionAttributeValues: {
            ':reversed': after.reversed,
            ':before': record.reversed,
            ':fromExpired': after.reversedFromExpired,
          },
        },
      },
      onConditionFailed: () => new Conflict(`lot ${record.lotId} was reversed concurrently`),
    };
  },
};
