// Dual control of payouts (SPEC §14), on DynamoDB Local: above WITHDRAWAL_DUAL_APPROVAL_ABOVE a
// withdrawal needs two different members of staff; nobody acts on their own; and when two approvers,
// or an approver and the user cancelling, act at the same moment from different processes (Ledger
// instances with their own SDK clients, as Lambda containers), there is one outcome and the credit
// comes back at most once.

import { describe, expect, it } from 'vitest';
import {
  approveWithdrawal,
  Conflict,
  cancelWithdrawal,
  completeWithdrawal,
  Forbidden,
  getBalance,
  Ledger,
  LedgerTable,
  listWithdrawals,
  rejectWithdrawal,
  requestWithdrawal,
} from '../core/index.js';
import type { Actor } from '../core/items/audit.js';
import { listAudit } from '../core/ledger/audit-log.js';
import { c, expectInvariants, FINANCE, FINANCE_2, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';
import { WALLET } from './support/wallet.js';

/** Two more processes on the same table. */
async function twoProcesses(ledger: Ledger): Promise<[Ledger, Ledger]> {
  const endpoint = await ledger.table.client.config.endpoint?.();
  const url = endpoint ? `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}` : undefined;
  const other = () =>
    new Ledger(new LedgerTable({ tableName: ledger.table.name, endpoint: url }), ledger.clock, ledger.config);
  return [other(), other()];
}

async function withdrawalOf(ledger: Ledger, accountId: string, amount: string) {
  await buyCredits(ledger, accountId, c('3000'));
  return requestWithdrawal(ledger, { accountId, amount: c(amount), destination: WALLET });
}

const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('dual control', () => {
  it('up to the threshold one approval approves; above it the first leaves it pending_review', async () => {
    const { ledger } = await newLedger();
    const small = await withdrawalOf(ledger, 'dc1', '1000.00');
    expect(await approveWithdrawal(ledger, small.withdrawalId, FINANCE)).toMatchObject({
      status: 'approved',
      approvalsNeeded: 1,
      approvals: [{ sub: 'finance', scope: 'credits:admin' }],
    });
    const large = await requestWithdrawal(ledger, { accountId: 'dc1', amount: c('1000.01'), destination: WALLET });
    const first = await approveWithdrawal(ledger, large.withdrawalId, FINANCE);
    expect(first).toMatchObject({ status: 'pending_review', approvalsNeeded: 2, approvals: [{ sub: 'finance' }] });
    await expect(completeWithdrawal(ledger, large.withdrawalId, 'payout', FINANCE)).rejects.toThrow(Conflict);
    await expect(approveWithdrawal(ledger, large.withdrawalId, FINANCE)).rejects.toThrow(/already approved/);
    const second = await approveWithdrawal(ledger, large.withdrawalId, FINANCE_2);
    expect(second.status).toBe('approved');
    expect(second.approvals.map((a) => a.sub)).toEqual(['finance', 'finance-2']);
    // Whoever completes it may be one of its approvers.
    expect(await completeWithdrawal(ledger, large.withdrawalId, 'payout', FINANCE)).toMatchObject({
      status: 'completed',
      completedBy: { sub: 'finance' },
    });
    const audit = (await listAudit(ledger, { accountId: 'dc1', limit: 100 })).items;
    expect(audit.map((r) => `${r.action} ${r.actor} ${String(r.after?.status)}`)).toEqual([
      'withdrawal.complete finance completed',
      'withdrawal.approve finance-2 approved',
      'withdrawal.approve finance pending_review',
      'withdrawal.approve finance approved',
    ]);
    await expectInvariants(ledger, 'dc1');
  });

  it('the threshold is configurable (WITHDRAWAL_DUAL_APPROVAL_ABOVE)', async () => {
    const { ledger } = await newLedger({ dualApprovalAbove: c('100') });
    const w = await withdrawalOf(ledger, 'dc2', '100.01');
    expect((await approveWithdrawal(ledger, w.withdrawalId, FINANCE)).status).toBe('pending_review');
  });

  it('nobody approves, rejects or completes a withdrawal from their own account; nothing changes', async () => {
    const { ledger } = await newLedger();
    const w = await withdrawalOf(ledger, 'finance', '10.00');
    const before = await getBalance(ledger, 'finance');
    await expect(approveWithdrawal(ledger, w.withdrawalId, FINANCE)).rejects.toThrow(Forbidden);
    await expect(rejectWithdrawal(ledger, w.withdrawalId, 'mine', FINANCE)).rejects.toThrow(Forbidden);
    await approveWithdrawal(ledger, w.withdrawalId, FINANCE_2);
    await expect(completeWithdrawal(ledger, w.withdrawalId, 'mine', FINANCE)).rejects.toThrow(Forbidden);
    expect(await getBalance(ledger, 'finance')).toEqual(before);
    expect((await listWithdrawals(ledger, 'finance'))[0]).toMatchObject({ status: 'approved' });
  });
});

describe('races, from two processes at once', () => {
  const ROUNDS = 6;

  it('two different approvers of a large withdrawal: both count, in some order, and it is approved', async () => {
    const { ledger } = await newLedger();
    const [a, b] = await twoProcesses(ledger);
    for (let round = 0; round < ROUNDS; round += 1) {
      const w = await withdrawalOf(ledger, `race-ab-${round}`, '1500.00');
      const results = await Promise.all([
        settled(approveWithdrawal(a, w.withdrawalId, FINANCE)),
        settled(approveWithdrawal(b, w.withdrawalId, FINANCE_2)),
      ]);
      expect(results.every((r) => r.ok)).toBe(true);
      const [stored] = await listWithdrawals(ledger, `race-ab-${round}`);
      expect(stored!.status).toBe('approved');
      expect(stored!.approvals.map((x) => x.sub).sort()).toEqual(['finance', 'finance-2']);
      expect((await listAudit(ledger, { accountId: `race-ab-${round}`, limit: 10 })).items).toHaveLength(2);
    }
  });

  it('the same approver twice at once: one approval, one 409', async () => {
    const { ledger } = await newLedger();
    const [a, b] = await twoProcesses(ledger);
    for (let round = 0; round < ROUNDS; round += 1) {
      const w = await withdrawalOf(ledger, `race-aa-${round}`, '1500.00');
      const results = await Promise.all([
        settled(approveWithdrawal(a, w.withdrawalId, FINANCE)),
        settled(approveWithdrawal(b, w.withdrawalId, FINANCE)),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)?.error).toBeInstanceOf(Conflict);
      const [stored] = await listWithdrawals(ledger, `race-aa-${round}`);
      expect(stored).toMatchObject({ status: 'pending_review', approvals: [{ sub: 'finance' }] });
    }
  });

  /** The approval that would make it approved, racing the user's cancel. */
  async function approveAgainstCancel(amount: string, firstApproval?: Actor) {
    const { ledger } = await newLedger();
    const [staff, user] = await twoProcesses(ledger);
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const accountId = `race-ac-${round}`;
      const w = await withdrawalOf(ledger, accountId, amount);
      if (firstApproval) await approveWithdrawal(ledger, w.withdrawalId, firstApproval);
      const [approved, cancelled] = await Promise.all([
        settled(approveWithdrawal(staff, w.withdrawalId, FINANCE_2)),
        settled(cancelWithdrawal(user, accountId, w.withdrawalId)),
      ]);
      expect(approved.ok !== cancelled.ok, 'exactly one of them takes effect').toBe(true);
      const loser = approved.ok ? cancelled : approved;
      expect(!loser.ok && loser.error).toBeInstanceOf(Conflict);
      const [stored] = await listWithdrawals(ledger, accountId);
      const balance = await getBalance(ledger, accountId);
      const snap = await expectInvariants(ledger, accountId);
      const reversals = snap.entries.filter((e) => e.type === 'withdrawal_reversal');
      if (cancelled.ok) {
        expect(stored!.status).toBe('cancelled');
        expect(balance.balance).toBe(c('3000'));
        expect(reversals).toHaveLength(1);
      } else {
        expect(stored!.status).toBe('approved');
        expect(balance.balance).toBe(c('3000') - c(amount));
        expect(reversals).toHaveLength(0);
      }
      outcomes.push(stored!.status);
    }
    return outcomes;
  }

  it('approving against the user cancelling: one outcome; the credit comes back once or not at all', async () => {
    const outcomes = await approveAgainstCancel('50.00');
    expect(outcomes).toHaveLength(ROUNDS);
  });

  it('the second approval of a large one against the user cancelling: the same', async () => {
    const outcomes = await approveAgainstCancel('1500.00', FINANCE);
    expect(outcomes).toHaveLength(ROUNDS);
  });

  it('rejecting against the user cancelling: the credit comes back exactly once', async () => {
    const { ledger } = await newLedger();
    const [staff, user] = await twoProcesses(ledger);
    for (let round = 0; round < ROUNDS; round += 1) {
      const accountId = `race-rc-${round}`;
      const w = await withdrawalOf(ledger, accountId, '1500.00');
      const results = await Promise.all([
        settled(rejectWithdrawal(staff, w.withdrawalId, 'no', FINANCE)),
        settled(cancelWithdrawal(user, accountId, w.withdrawalId)),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const snap = await expectInvariants(ledger, accountId);
      expect(snap.entries.filter((e) => e.type === 'withdrawal_reversal')).toHaveLength(1);
      expect((await getBalance(ledger, accountId)).balance).toBe(c('3000'));
    }
  });
});
