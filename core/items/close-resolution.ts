// A close report's item resolved by staff (SPEC §12): who, when and why, one item per resolved item
// under its day (keys.ts `CLOSE#<day>`), written once: a second resolution of the same item is
// refused. The report it belongs to is written once beside the digest and never changes.

import * as z from 'zod';
import { Conflict } from '../errors.js';
import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { type ItemWrite, isoField, readItem } from './fields.js';

export interface CloseResolution {
  day: string;
  itemId: string;
  /** The account the item is about: the audit record of the resolution is in its trail. */
  accountId: string;
  by: string;
  at: string;
  note: string;
}

export const closeResolutionItems = {
  resolved(resolution: CloseResolution): ItemWrite {
    return {
      item: {
        Put: {
          Item: {
            ...keys.closeResolution(resolution.day, resolution.itemId),
            itemType: 'closeResolution',
            ...resolution,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new Conflict(`item ${resolution.itemId} of ${resolution.day} is already resolved`),
    };
  },
};

const shape = z.object({
  day: z.string(),
  itemId: z.string(),
  accountId: z.string(),
  by: z.string(),
  at: isoField,
  note: z.string(),
});

export function closeResolutionFromItem(item: Item): CloseResolution {
  return readItem('close resolution', shape, item);
}
