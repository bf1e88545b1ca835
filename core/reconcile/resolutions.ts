// Staff resolving the items of a close report (SPEC §12), and the report as GET /admin/closes/{day}
// answers it: the stored report (write-once, beside the digest) joined with the resolutions kept in
// the table. A resolution commits through the ledger's engine on the item's account, with its audit
// record (SPEC §14) in the same transaction, once: resolving an item again is a 409.

import type { DigestStore } from '../close/store.js';
import { Conflict, InvalidRequest, NotFound } from '../errors.js';
import { isAccountId } from '../ids.js';
import type { Actor } from '../items/audit.js';
import { type CloseResolution, closeResolutionFromItem, closeResolutionItems } from '../items/close-resolution.js';
import { recordAudit } from '../ledger/audit.js';
import { run } from '../ledger/commit.js';
import type { Ledger } from '../ledger/ledger.js';
import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import {
  CATEGORY_NAMES,
  type Categories,
  type CategoryName,
  mapItems,
  type ReportItem,
  type Resolution,
} from './categories.js';
import { type CloseReport, reportFromJson } from './report.js';
import type { RollForward } from './roll-forward.js';

/** The most characters of a resolution's note. */
export const MAX_NOTE_LENGTH = 1000;
/** Resolutions read for one day at most (pages of a Query). */
const MAX_RESOLUTION_PAGES = 100;

/** GET /admin/closes/{day}'s answer (SPEC §12). */
export interface CloseView {
  day: string;
  digestHash: string;
  categories: Categories;
  rollForward: RollForward;
}

async function storedReport(store: DigestStore, day: string): Promise<CloseReport> {
  const json = await store.closeReport(day, 'json');
  if (json === undefined) throw new NotFound(`no close report for ${day}`);
  return reportFromJson(json);
}

/** The day's report with each item's resolution, if it has one. */
export async function closeView(ledger: Ledger, store: DigestStore, day: string): Promise<CloseView> {
  const report = await storedReport(store, day);
  const resolutions = await resolutionsOf(ledger, day);
  const withResolution = (item: ReportItem): ReportItem => {
    const found = resolutions.get(item.itemId);
    return found ? { ...item, resolved: { by: found.by, at: found.at, note: found.note } } : item;
  };
  const categories = mapItems(report.categories, withResolution);
  return { day: report.day, digestHash: report.digestHash, categories, rollForward: report.rollForward };
}

async function resolutionsOf(ledger: Ledger, day: string): Promise<Map<string, CloseResolution>> {
  const found = new Map<string, CloseResolution>();
  let startKey: Item | undefined;
  for (let page = 1; page <= MAX_RESOLUTION_PAGES; page += 1) {
    const out = await ledger.table.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.closeResolutionsPk(day) },
      ExclusiveStartKey: startKey,
      ConsistentRead: true,
    });
    for (const item of out.items) {
      const resolution = closeResolutionFromItem(item);
      found.set(resolution.itemId, resolution);
    }
    startKey = out.lastKey;
    if (!startKey) return found;
  }
  throw new Error(`more than ${MAX_RESOLUTION_PAGES} pages of resolutions for ${day}`);
}

function findItem(report: CloseReport, itemId: string): { category: CategoryName; item: ReportItem } | undefined {
  for (const category of CATEGORY_NAMES) {
    const item = report.categories[category].find((i) => i.itemId === itemId);
    if (item) return { category, item };
  }
  return undefined;
}

/**
 * Marks one item of a day's report resolved, with the actor, the time and the note. 404 for a day
 * without a report or an item not in it; 409 when it is resolved already (here, or by a concurrent
 * request: the write is conditional); 400 for an empty note.
 */
export async function resolveCloseItem(
  ledger: Ledger,
  store: DigestStore,
  input: { day: string; itemId: string; note: string; actor: Actor },
): Promise<Resolution> {
  const note = input.note.trim();
  if (note === '' || note.length > MAX_NOTE_LENGTH)
    throw new InvalidRequest(`note must be 1 to ${MAX_NOTE_LENGTH} characters`);
  const report = await storedReport(store, input.day);
  const found = findItem(report, input.itemId);
  if (!found) throw new NotFound(`no item ${input.itemId} in the close report of ${input.day}`);
  const { accountId } = found.item;
  if (!isAccountId(accountId)) throw new Conflict(`item ${input.itemId} names no account to record it on`);
  return run(ledger, {
    name: 'resolveCloseItem',
    accountId,
    actor: input.actor,
    plan: async (draft): Promise<Resolution> => {
      if (await ledger.table.get(keys.closeResolution(input.day, input.itemId)))
        throw new Conflict(`item ${input.itemId} of ${input.day} is already resolved`);
      const resolution = { day: input.day, itemId: input.itemId, accountId, by: input.actor.sub, at: draft.now, note };
      draft.write(closeResolutionItems.resolved(resolution));
      recordAudit(draft, input.actor, {
        action: 'close_item.resolve',
        subject: input.itemId,
        after: { day: input.day, category: found.category, note },
      });
      return { by: resolution.by, at: resolution.at, note };
    },
  });
}
