// Lot allocation as pure functions: consumption order, taking, restoring, repaying debt.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccountState,
  balanceOf,
  compareConsumption,
  emptyAccount,
  isUsable,
  type LiveLot,
  micros,
  repayDebts,
  restoreAllocations,
  takeFromLots,
  withdrawableOf,
} from '../core/index.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const lot = (
  lotId: string,
  kind: LiveLot['kind'],
  remaining: number,
  expiresInDays: number | null,
  amount = remaining,
): LiveLot => ({
  lotId,
  kind,
  amount: micros(amount),
  remaining: micros(remaining),
  expiresAtMs: expiresInDays === null ? null : NOW + expiresInDays * DAY,
});
const account = (...lots: LiveLot[]): AccountState => ({ ...emptyAccount('a'), lots });

describe('consumption order', () => {
  it('earliest expiry first, no expiry last, promotional before purchased on a tie, then oldest', () => {
    const lots = [
      lot('lot_5', 'promotional', 1, null),
      lot('lot_4', 'purchased', 1, 10),
      lot('lot_3', 'promotional', 1, 10),
      lot('lot_2', 'purchased', 1, 5),
      lot('lot_1', 'purchased', 1, 10),
    ];
    expect([...lots].sort(compareConsumption).map((l) => l.lotId)).toEqual([
      'lot_2',
      'lot_3',
      'lot_1',
      'lot_4',
      'lot_5',
    ]);
  });
});

describe('taking credit', () => {
  it('takes across lots in order, drops emptied lots, and never touches expired ones', () => {
    const state = account(
      lot('lot_1', 'purchased', 5, 0),
      lot('lot_2', 'purchased', 3, 20),
      lot('lot_3', 'promotional', 4, 10),
    );
    expect(isUsable(state.lots[0]!, NOW)).toBe(false);
    const taken = takeFromLots(state, micros(6), NOW, { payingFor: 'other' });
    expect(taken.map((a) => [a.lotId, a.taken])).toEqual([
      ['lot_3', 4],
      ['lot_2', 2],
    ]);
    expect(state.lots.map((l) => [l.lotId, l.remaining])).toEqual([
      ['lot_1', 5],
      ['lot_2', 1],
    ]);
    expect(balanceOf(state, NOW)).toBe(1);
  });

  it('withdrawals take only purchased credit', () => {
    const state = account(lot('lot_1', 'promotional', 5, 1), lot('lot_2', 'purchased', 3, 20));
    expect(withdrawableOf(state, NOW)).toBe(3);
    expect(takeFromLots(state, micros(3), NOW, { payingFor: null, kind: 'purchased' }).map((a) => a.lotId)).toEqual([
      'lot_2',
    ]);
  });

  it('take then restore everything gives back the same lots (property)', () => {
    const lotArb = fc.record({
      kind: fc.constantFrom('purchased', 'promotional'),
      remaining: fc.integer({ min: 1, max: 1e9 }),
      days: fc.option(fc.integer({ min: 1, max: 400 })),
    });
    fc.assert(
      fc.property(
        fc.array(lotArb, { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (specs, share) => {
          const lots = specs.map((s, i) =>
            lot(`lot_${String(i).padStart(3, '0')}`, s.kind as LiveLot['kind'], s.remaining, s.days),
          );
          const state = account(...lots.map((l) => ({ ...l })));
          const total = lots.reduce((t, l) => t + l.remaining, 0);
          const amount = micros(Math.floor(total * share));
          const allocations = takeFromLots(state, amount, NOW, { payingFor: 'other' });
          expect(allocations.reduce((t, a) => t + a.taken, 0)).toBe(amount);
          expect(balanceOf(state, NOW)).toBe(total - amount);
          restoreAllocations(state, allocations, amount, NOW, () => 'lot_new');
          const byId = (ls: LiveLot[]) => Object.fromEntries(ls.map((l) => [l.lotId, l.remaining]));
          expect(byId(state.lots)).toEqual(byId(lots));
        },
      ),
    );
  });
});

describe('restoring and repaying', () => {
  it('restores latest-taken first and re-issues a part whose lot expired as a new 30-day lot', () => {
    const state = account(lot('lot_1', 'promotional', 2, 1), lot('lot_2', 'purchased', 2, 100));
    const allocations = takeFromLots(state, micros(3), NOW, { payingFor: 'other' });
    const later = NOW + 2 * DAY; // lot_1 has expired by now
    expect(allocations.map((a) => [a.lotId, a.taken])).toEqual([
      ['lot_1', 2],
      ['lot_2', 1],
    ]);
    expect(restoreAllocations(state, allocations, micros(1), later, () => 'lot_9')).toEqual([]);
    expect(state.lots.map((l) => [l.lotId, l.remaining])).toEqual([['lot_2', 2]]);
    const reissued = restoreAllocations(state, allocations, micros(2), later, () => 'lot_9');
    expect(reissued).toEqual([{ lotId: 'lot_9', kind: 'promotional', amount: 2, expiresAtMs: later + 30 * DAY }]);
    expect(() => restoreAllocations(state, allocations, micros(1), later, () => 'lot_x')).toThrow(/could restore only/);
  });

  it('incoming credit repays the oldest debt first', () => {
    const state = account(lot('lot_1', 'purchased', 5, 100));
    state.debts = [
      { ref: 'ch_old', amount: micros(3) },
      { ref: 'ch_new', amount: micros(4) },
    ];
    const repayments = repayDebts(state, NOW);
    expect(repayments.map((r) => [r.ref, r.allocations.reduce((t, a) => t + a.taken, 0)])).toEqual([
      ['ch_old', 3],
      ['ch_new', 2],
    ]);
    expect(state.debts).toEqual([{ ref: 'ch_new', amount: 2 }]);
    expect(balanceOf(state, NOW)).toBe(-2);
  });
});
