// Shapes ledger results into the API's JSON: every amount becomes a decimal string. One export per
// shape, imported as a namespace (`present.charge`), so each function's bundle carries only the
// shapes its routes answer with.

import type { AuditRecord } from '../../core/items/audit.js';
import type { Charge } from '../../core/items/charge.js';
import type { LedgerEntry } from '../../core/items/entry.js';
import type { Lot } from '../../core/items/lot.js';
import type { Delivery } from '../../core/items/webhook.js';
import type { AccountView } from '../../core/ledger/account-view.js';
import type { AlertSettings } from '../../core/ledger/alerts.js';
import type { AllowanceSet } from '../../core/ledger/allowance.js';
import type { AutoTopUpView } from '../../core/ledger/auto-top-up.js';
import type { ChargeResult } from '../../core/ledger/charge.js';
import type { GrantResult } from '../../core/ledger/grants.js';
import type { BalanceAt, BalanceView, CheckView, UsageBucket } from '../../core/ledger/queries.js';
import type { RefundResult } from '../../core/ledger/refund.js';
import type { WithdrawalView } from '../../core/ledger/withdrawals.js';
import { formatMicros as m } from '../../core/money.js';
import type { PurchaseLimits } from '../../core/purchase-limits.js';
import { iso } from '../../core/time.js';
import type { EndpointView } from '../../core/webhooks/endpoints.js';

const lot = (l: Lot) => ({ ...l, amount: m(l.amount), remaining: m(l.remaining) });

export const balance = (b: BalanceView) => ({
  ...b,
  balance: m(b.balance),
  withdrawable: m(b.withdrawable),
  negativeAllowance: m(b.negativeAllowance),
  debt: m(b.debt),
  pendingWithdrawals: m(b.pendingWithdrawals),
  lots: b.lots.map(lot),
  scoped: b.scoped.map((s) => ({ products: s.products, remaining: m(s.remaining) })),
  expiringSoon: b.expiringSoon.map((l) => ({ ...lot(l), forecastUnused: m(l.forecastUnused) })),
});

export const balanceAt = (b: BalanceAt) => ({ ...b, balance: m(b.balance) });

export const alerts = (a: AlertSettings) => ({
  ...a,
  lowBalanceThreshold: a.lowBalanceThreshold === null ? null : m(a.lowBalanceThreshold),
});

export const webhookEndpoint = (e: EndpointView) => ({
  endpointId: e.endpointId,
  accountId: e.owner === '*' ? null : e.owner,
  url: e.url,
  events: e.events,
  createdAt: e.createdAt,
});

export const webhookDelivery = ({ nextAttemptAtMs, ...d }: Delivery) => ({
  ...d,
  nextAttemptAt: nextAttemptAtMs === null ? null : iso(nextAttemptAtMs),
});

export const limits = (limits: PurchaseLimits) => ({ min: m(limits.min), max: m(limits.max) });

export const autoTopUp = (a: AutoTopUpView) => ({
  ...a,
  threshold: m(a.threshold),
  amount: m(a.amount),
  monthlyLimit: m(a.monthlyLimit),
  spentThisMonth: m(a.spentThisMonth),
});

export const check = ({ available, ...c }: CheckView) => ({
  ...c,
  amount: m(c.amount),
  balance: m(c.balance),
  ...(available === undefined ? {} : { available: m(available) }),
  shortfall: m(c.shortfall),
});

export const chargeResult = (c: ChargeResult) =>
  c.status === 'paid'
    ? {
        chargeId: c.chargeId,
        deploymentId: c.deploymentId,
        status: c.status,
        amount: m(c.amount),
        usedAllowance: m(c.usedAllowance),
        balance: m(c.balance),
      }
    : {
        chargeId: c.chargeId,
        deploymentId: c.deploymentId,
        status: c.status,
        amount: m(c.amount),
        shortfall: m(c.shortfall),
        graceExpiresAt: c.graceExpiresAt,
      };

export const charge = (c: Charge) => ({
  chargeId: c.chargeId,
  deploymentId: c.deploymentId,
  product: c.product,
  ...(c.projectId ? { projectId: c.projectId } : {}),
  status: c.status,
  amount: m(c.amount),
  refunded: m(c.refunded),
  createdAt: c.createdAt,
  ...(c.graceExpiresAt && c.status === 'pending_payment' ? { graceExpiresAt: c.graceExpiresAt } : {}),
});

export const refund = (r: RefundResult) => ({ ...r, amount: m(r.amount), balance: m(r.balance) });

export const entry = ({ paidFrom, allowance, ...e }: LedgerEntry) => ({
  ...e,
  amount: m(e.amount),
  balanceAfter: m(e.balanceAfter),
  ...(paidFrom ? { paidFrom: paidFrom.map((p) => ({ ...p, amount: m(p.amount) })) } : {}),
  ...(allowance === undefined ? {} : { allowance: m(allowance) }),
});

export const usage = (b: UsageBucket) => ({
  start: b.start,
  usage: m(b.usage),
  refunds: m(b.refunds),
  net: m(b.net),
  ...(b.byProduct
    ? {
        byProduct: Object.fromEntries(
          Object.entries(b.byProduct).map(([product, u]) => [
            product,
            { usage: m(u.usage), refunds: m(u.refunds), net: m(u.net) },
          ]),
        ),
      }
    : {}),
});

export const withdrawal = (w: WithdrawalView) => ({ ...w, amount: m(w.amount) });

export const grant = (g: GrantResult) => ({
  ...g,
  amount: m(g.amount),
  remaining: m(g.remaining),
  balance: m(g.balance),
});

export const audit = (r: AuditRecord) => r;

export const accountView = (v: AccountView) => ({
  accountId: v.accountId,
  balance: balance(v.balance),
  autoTopUp: autoTopUp(v.autoTopUp),
  alerts: alerts(v.alerts),
  webhookEndpoints: v.webhookEndpoints.map(webhookEndpoint),
  charges: v.charges,
  purchases: v.purchases,
  withdrawals: v.withdrawals,
});

export const allowance = (a: AllowanceSet) => ({ ...a, negativeAllowance: m(a.negativeAllowance), debt: m(a.debt) });
