// One Idempotency-Key per intended action, for every form that moves money. The key is made from
// the values the form sends: the same values keep the same key until the action is over, so sending
// them again after an answer was lost (the API applied the request, the connection dropped before
// its answer arrived) replays the first answer instead of moving the money twice. Other values get
// another key, since the API refuses a key used again with another request (409
// idempotency_key_reused).
//
// The key is `<prefix>-<epoch>-<digest of the values>`, the epoch kept in sessionStorage for each
// action, so after an error a dialog closed and opened again, or the page reloaded, still sends the
// same action. Once the action is over, `renew` starts the next epoch: the same values then make a
// new action.
//
//   send A ──✕ answer lost──▶ send A again: A's key, the first answer replayed ──▶ over: renew
//     └─ edit to B ──▶ send B: B's key (back to A: A's key again)                       │
//                                                  next send of A: a new key, a new action ◀──┘

import { useSyncExternalStore } from 'react';

const STORED_EPOCH = 'io-credits:action-epoch:';
const FIRST_COUNTED_EPOCH = 1;

export interface ActionKeyOptions {
  /**
   * Epochs counted 1, 2, 3… instead of random: the key of the first attempt is the same in every tab
   * and after the tab's storage is gone, for an action that is never meant twice (paying for one
   * deployment). An action a person may mean twice (a second grant) must not use it.
   */
  sameInEveryTab?: boolean;
}

export interface ActionKey {
  /** The Idempotency-Key for sending the values now. */
  key: string;
  /**
   * The action sent with `usedKey` is over (it succeeded, or ended without effect): the next send
   * is a new action. A key of an earlier epoch changes nothing, so an end seen twice starts one new
   * epoch, not two. Answers the key the same values have now.
   */
  renew: (usedKey: string) => string;
}

export function useActionKey(prefix: string, values: object, options: ActionKeyOptions = {}): ActionKey {
  const counted = options.sameInEveryTab === true;
  const epoch = useSyncExternalStore(subscribe, () => storedEpoch(prefix, counted));
  const keyIn = (e: string) => `${prefix}-${e}-${digestOf(values)}`;
  return {
    key: keyIn(epoch),
    renew: (usedKey) => {
      const now = storedEpoch(prefix, counted);
      if (!usedKey.startsWith(`${prefix}-${now}-`)) return keyIn(now);
      const next = counted ? String(Number(now) + 1) : crypto.randomUUID();
      sessionStorage.setItem(STORED_EPOCH + prefix, next);
      for (const listener of listeners) listener();
      return keyIn(next);
    },
  };
}

/** The hooks showing a key, told when an epoch changes. */
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The action's epoch in this tab, stored when first asked for (a random one too), so a reload keeps it. */
function storedEpoch(prefix: string, counted: boolean): string {
  const stored = sessionStorage.getItem(STORED_EPOCH + prefix);
  if (stored !== null && (!counted || /^\d+$/.test(stored))) return stored;
  const first = counted ? String(FIRST_COUNTED_EPOCH) : crypto.randomUUID();
  sessionStorage.setItem(STORED_EPOCH + prefix, first);
  return first;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const U64 = 0xffffffffffffffffn;

/**
 * FNV-1a (64 bits) of the values as key-sorted JSON, so field order never changes the key. Two
 * requests with one digest would share a key: the API would refuse the second (409), never apply it.
 */
function digestOf(values: object): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(JSON.stringify(values, sortedKeys)))
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & U64;
  return hash.toString(36);
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
