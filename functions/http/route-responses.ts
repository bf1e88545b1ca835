// What each route of the API answers, per status: the descriptions and response schemas of the
// OpenAPI document. Kept apart from the route table (routes.ts), which every Lambda bundle carries,
// so only the OpenAPI document (and the tests that read it) carry them; handlers build their
// answers in present.ts. The type makes a route without its responses a compile error.

import * as z from 'zod';
import { AUDIT_ACTIONS } from '../../core/items/audit.js';
import { billingProfileShape } from '../../core/items/billing-profile.js';
import { EVENT_TYPES } from '../../core/items/webhook.js';
import { deliveryRecordShape } from '../../core/items/webhook-read.js';
import { PAYOUT_NETWORKS } from '../../core/payout.js';
import { PRODUCTS } from '../../core/products.js';
import type { api, RouteShape } from './routes.js';

const amountOut = z
  .string()
  .regex(/^-?\d+\.\d{2,6}$/)
  .meta({ description: 'Decimal credits', examples: ['12.50'] });
const lotOut = z.object({
  lotId: z.string(),
  kind: z.enum(['purchased', 'promotional']),
  amount: amountOut,
  remaining: amountOut,
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  withdrawable: z.boolean(),
  products: z
    .array(z.enum(PRODUCTS))
    .optional()
    .meta({ description: 'Scoped promotional credit: pays only these products' }),
});
const staffMark = z
  .object({ sub: z.string(), scope: z.string(), at: z.string() })
  .meta({ description: 'A member of staff (or a service) and when they acted: the token sub and credits:* scopes' });
const paymentOut = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('card'), brand: z.string(), last4: z.string() }),
    z.object({ kind: z.literal('usdc'), network: z.string(), transactionHash: z.string() }),
  ])
  .meta({ description: "How it was paid, as the provider reported it: the card's brand and last 4, or USDC's chain" });
const documentNumberOut = z.string().meta({ examples: ['IOC-2026-000042', 'IOC-CN-2026-000007'] });
const partyOut = billingProfileShape;
const sellerOut = z.object({ name: z.string(), address: z.string(), taxId: z.string().optional() });
const receiptOut = z.object({
  kind: z.literal('receipt'),
  number: documentNumberOut,
  purchaseId: z.string(),
  lotId: z.string(),
  paidAt: z.string(),
  method: z.enum(['card', 'usdc']),
  autoTopUp: z.boolean(),
  payment: paymentOut.optional(),
  seller: sellerOut,
  buyer: partyOut.nullable().meta({ description: 'The billing profile as it was when the purchase was paid' }),
  line: z.string().meta({ examples: ['IO Credits (prepaid; 1 IO Credit = 1 USD), expire 2027-01-31'] }),
  expiresAt: z.string(),
  amount: amountOut,
  tax: amountOut,
  total: amountOut,
  currency: z.literal('USD'),
  invoiceUrl: z.string().optional().meta({ description: "Stripe's hosted invoice, with STRIPE_INVOICES=true" }),
});
const creditNoteOut = z.object({
  kind: z.literal('credit_note'),
  number: documentNumberOut,
  purchaseId: z.string(),
  receiptNumber: documentNumberOut.optional().meta({ description: 'The receipt it corrects' }),
  issuedAt: z.string(),
  reason: z.enum(['refund', 'dispute']),
  reference: z.string(),
  seller: sellerOut,
  buyer: partyOut.nullable(),
  amount: amountOut,
  total: amountOut,
  currency: z.literal('USD'),
});
const documentOut = z.discriminatedUnion('kind', [receiptOut, creditNoteOut]);
const usageFigures = z.object({ usage: amountOut, refunds: amountOut, net: amountOut });
const byProductOut = z
  .partialRecord(z.enum(PRODUCTS), usageFigures)
  .optional()
  .meta({ description: 'With groupBy=product: the figures of each product that had any' });
/** A closed day's digest as published (SPEC §12): amounts as integer micro-credits in decimal strings. */
const publishedDigest = z.object({
  digest: z.object({
    day: z.string(),
    cutoff: z.string(),
    accounts: z.number().int(),
    root: z.string(),
    creditMicros: z.string(),
    prev: z.string(),
  }),
  digestHash: z.string(),
});

const proofOut = publishedDigest.extend({
  leaf: z.object({
    accountId: z.string(),
    headSeq: z.number().int(),
    headHash: z.string(),
    balanceMicros: z.string(),
    creditMicros: z.string(),
  }),
  path: z.array(z.object({ side: z.enum(['left', 'right']), hash: z.string(), creditMicros: z.string() })),
});
const statementTotal = z.object({ amount: amountOut, count: z.number().int() });
const statementByProduct = z.partialRecord(z.enum(PRODUCTS), statementTotal);

const responses = {
  balance: z.object({
    accountId: z.string(),
    hasPurchased: z.boolean().meta({ description: 'The account has paid for credits, so it may withdraw' }),
    balance: amountOut,
    withdrawable: amountOut,
    negativeAllowance: amountOut,
    debt: amountOut,
    pendingWithdrawals: amountOut,
    lots: z.array(lotOut),
    scoped: z
      .array(z.object({ products: z.array(z.enum(PRODUCTS)), remaining: amountOut }))
      .meta({ description: 'Promotional credit that pays only some products, by scope; also in balance' }),
    expiringSoon: z.array(
      lotOut.extend({
        forecastUnused: amountOut.meta({
          description: "What the last 30 days' average usage would leave unspent at its expiry",
        }),
      }),
    ),
  }),
  balanceAt: z.object({
    accountId: z.string(),
    at: z.string(),
    balance: amountOut,
    transactionId: z.string().nullable().meta({ description: 'The entry that recorded it; null before the first' }),
  }),
  check: z.object({
    amount: amountOut,
    product: z.enum(PRODUCTS).optional().meta({ description: 'The product asked about, when one was' }),
    balance: amountOut,
    available: amountOut
      .optional()
      .meta({ description: 'When a product was asked about: what a charge for it may take, its credit less debt' }),
    sufficient: z.boolean(),
    withinAllowance: z.boolean(),
    shortfall: amountOut,
  }),
  chargePaid: z.object({
    chargeId: z.string(),
    deploymentId: z.string(),
    status: z.literal('paid'),
    amount: amountOut,
    usedAllowance: amountOut,
    balance: amountOut,
  }),
  chargePending: z.object({
    chargeId: z.string(),
    deploymentId: z.string(),
    status: z.literal('pending_payment'),
    amount: amountOut,
    shortfall: amountOut,
    graceExpiresAt: z.string(),
  }),
  charge: z.object({
    chargeId: z.string(),
    deploymentId: z.string(),
    product: z.enum(PRODUCTS),
    projectId: z.string().optional(),
    status: z.enum(['paid', 'pending_payment', 'failed', 'cancelled']),
    amount: amountOut,
    refunded: amountOut,
    createdAt: z.string(),
    graceExpiresAt: z.string().optional(),
  }),
  refund: z.object({
    refundId: z.string(),
    chargeId: z.string(),
    amount: amountOut,
    balance: amountOut,
    refundedBy: staffMark.optional(),
  }),
  cancelled: z.object({ chargeId: z.string(), status: z.literal('cancelled') }),
  transactions: z.object({
    items: z.array(
      z.object({
        transactionId: z.string(),
        type: z.string(),
        category: z.string(),
        amount: amountOut,
        balanceAfter: amountOut,
        createdAt: z.string(),
        reference: z.string(),
        description: z.string(),
        product: z.enum(PRODUCTS).optional().meta({ description: 'Usage and refunds: the product it was for' }),
        deploymentId: z.string().optional(),
        projectId: z.string().optional(),
        paidFrom: z
          .array(z.object({ lotId: z.string(), kind: z.enum(['purchased', 'promotional']), amount: amountOut }))
          .optional()
          .meta({ description: 'Usage: the lots that paid it' }),
        allowance: amountOut.optional().meta({ description: 'Usage: the part taken on the negative allowance' }),
        seq: z.number().int().optional().meta({ description: "Its place in the account's hash chain (SPEC §12)" }),
        prevHash: z.string().optional().meta({ description: 'The hash of the entry before it (64 zeros for seq 1)' }),
        hash: z.string().optional().meta({ description: 'SHA-256 of the entry, as SPEC §12 defines it' }),
      }),
    ),
    nextCursor: z.string().nullable(),
  }),
  digest: publishedDigest,
  proof: proofOut,
  statement: z.object({
    accountId: z.string(),
    month: z.string().meta({ examples: ['2026-01'] }),
    from: z.string().meta({ description: 'The first instant of the month (UTC)' }),
    to: z.string().meta({ description: 'The first instant of the next month' }),
    partial: z.boolean().meta({ description: 'The month is not over: the figures are through `through`' }),
    through: z.string(),
    openingBalance: amountOut,
    sections: z.object({
      purchases: statementTotal,
      promotionalGrants: statementTotal,
      refunds: statementTotal.extend({ byProduct: statementByProduct }),
      usage: statementTotal.extend({ byProduct: statementByProduct }),
      expiries: statementTotal,
      withdrawals: statementTotal.meta({ description: 'Withdrawals less those rejected or cancelled (reversed)' }),
      reversals: statementTotal.meta({ description: 'Card refunds and disputes at the provider' }),
      adjustments: statementTotal,
    }),
    expiryTiming: amountOut.meta({
      description:
        'Credit that stopped counting at its expiry instant in one month and was entered as an expiry in another ' +
        '(negative in the first, positive in the second); 0.00 in most months',
    }),
    closingBalance: amountOut,
    entries: z.number().int().meta({ description: 'Ledger entries in the month' }),
    firstMonth: z.string().nullable().meta({ description: "The month of the account's first entry" }),
    proof: proofOut.nullable().meta({ description: "A closed month: the proof of its last day's digest" }),
    proofReason: z.string().nullable().meta({ description: 'Why there is no proof (the month is not over, …)' }),
  }),
  usage: z.object({
    buckets: z.array(usageFigures.extend({ start: z.string(), byProduct: byProductOut })),
    total: usageFigures.extend({ byProduct: byProductOut }),
  }),
  withdrawal: z.object({
    withdrawalId: z.string(),
    accountId: z.string(),
    status: z.enum(['pending_review', 'approved', 'completed', 'rejected', 'cancelled']),
    amount: amountOut,
    requestedAt: z.string(),
    expectedBy: z.string(),
    destination: z.object({ network: z.enum(PAYOUT_NETWORKS), address: z.string() }).optional(),
    reason: z.string().optional(),
    payoutReference: z.string().optional(),
    approvals: z.array(staffMark).meta({
      description:
        'Who approved it, in order (approvedBy). Above WITHDRAWAL_DUAL_APPROVAL_ABOVE it needs two different members',
    }),
    approvalsNeeded: z.number().int().meta({ description: 'Approvals it needs before it is approved: 1 or 2' }),
    rejectedBy: staffMark.optional(),
    completedBy: staffMark.optional(),
    updatedAt: z.string(),
  }),
  grant: lotOut.extend({
    source: z.string(),
    description: z.string(),
    conditions: z.string().optional(),
    grantedBy: staffMark.optional(),
    balance: amountOut,
  }),
  allowance: z.object({
    accountId: z.string(),
    negativeAllowance: amountOut,
    debt: amountOut,
    setBy: staffMark.optional(),
  }),
  notifications: z.object({
    items: z.array(
      z.object({
        notificationId: z.string(),
        type: z.string(),
        message: z.string(),
        createdAt: z.string(),
        read: z.boolean(),
      }),
    ),
  }),
  alerts: z.object({
    accountId: z.string(),
    lowBalanceThreshold: amountOut.nullable().meta({ description: 'null: no low-balance alerts' }),
  }),
  webhookEndpoint: z.object({
    endpointId: z.string(),
    accountId: z.string().nullable().meta({ description: 'null: every account' }),
    url: z.string(),
    events: z.array(z.enum(EVENT_TYPES)),
    createdAt: z.string(),
  }),
  webhookEndpointCreated: z.object({
    endpointId: z.string(),
    accountId: z.string().nullable(),
    url: z.string(),
    events: z.array(z.enum(EVENT_TYPES)),
    createdAt: z.string(),
    secret: z.string().meta({ description: 'The signing secret, shown this once' }),
  }),
  webhookEndpointRemoved: z.object({ endpointId: z.string(), removed: z.literal(true) }),
  webhookDelivery: deliveryRecordShape
    .omit({ nextAttemptAtMs: true, leaseUntilMs: true })
    .extend({ nextAttemptAt: z.string().nullable().meta({ description: 'When it is tried next (pending only)' }) }),
  autoTopUp: z.object({
    accountId: z.string(),
    enabled: z.boolean(),
    threshold: amountOut,
    amount: amountOut,
    monthlyLimit: amountOut,
    card: z.string().nullable().meta({ description: 'The saved card; null: none (auto top-up can not be enabled)' }),
    failuresInARow: z.number().int(),
    topUpInFlight: z.boolean(),
    spentThisMonth: amountOut,
  }),
  cardSetup: z.object({ checkoutUrl: z.string() }),
  limits: z.object({
    purchase: z
      .object({ min: amountOut, max: amountOut })
      .meta({ description: 'What one purchase may be, in whole cents' }),
    autoTopUp: z
      .object({ min: amountOut, max: amountOut })
      .meta({ description: "What auto top-up's amount may be set to" }),
  }),
  notificationRead: z.object({ notificationId: z.string(), read: z.literal(true) }),
  purchaseCreated: z.object({
    purchaseId: z.string(),
    status: z.literal('pending'),
    amount: amountOut,
    method: z.enum(['card', 'usdc']),
    checkoutUrl: z.string(),
  }),
  purchase: z.object({
    purchaseId: z.string(),
    status: z.enum(['pending', 'completed', 'failed', 'expired', 'reversed']),
    amount: amountOut,
    method: z.enum(['card', 'usdc']),
    lotId: z.string().optional(),
    paidAmount: amountOut.optional(),
    reversedAmount: amountOut.optional(),
    payment: paymentOut.optional(),
    receiptNumber: documentNumberOut.optional().meta({ description: 'Its receipt, once the purchase is credited' }),
    createdAt: z.string(),
  }),
  webhook: z.object({
    received: z.literal(true),
    eventId: z.string(),
    handled: z.enum(['payment', 'reversal', 'held', 'ignored', 'card']),
    effect: z.string().optional(),
  }),
};

const withdrawalList = z.object({ items: z.array(responses.withdrawal) });
const auditValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]));
const auditRecord = z.object({
  auditId: z.string(),
  at: z.string(),
  actor: z.string().meta({ description: "The token's sub" }),
  scope: z.string().meta({ description: "The token's credits:* scopes, space-separated" }),
  action: z.enum(AUDIT_ACTIONS),
  accountId: z.string(),
  subject: z.string().meta({ description: 'What was changed: a withdrawal, lot, charge, endpoint or account id' }),
  before: auditValues.optional(),
  after: auditValues.optional(),
});
const statusCounts = z.object({
  byStatus: z.record(z.string(), z.number().int()),
  complete: z.boolean().meta({ description: 'False when only the newest 5,000 were counted' }),
});
const accountViewOut = z.object({
  accountId: z.string(),
  balance: responses.balance,
  autoTopUp: responses.autoTopUp,
  alerts: responses.alerts,
  webhookEndpoints: z.array(responses.webhookEndpoint),
  charges: statusCounts,
  purchases: statusCounts,
  withdrawals: statusCounts,
});

const microsText = z
  .string()
  .regex(/^-?\d+$/)
  .meta({ description: 'Integer micro-credits, as decimal text' });
const closeItem = z.object({
  itemId: z.string(),
  purchaseId: z.string().optional(),
  accountId: z.string(),
  provider: z.string().optional(),
  ledgerMicros: microsText.optional(),
  providerMicros: microsText.optional(),
  detail: z.string(),
  resolved: z
    .object({ by: z.string(), at: z.string(), note: z.string() })
    .optional()
    .meta({ description: 'Who marked it resolved, when, and why' }),
});
const closeItems = z.array(closeItem);
const closeReportOut = z.object({
  day: z.string(),
  digestHash: z.string(),
  categories: z.object({
    matched: closeItems,
    paidNotCredited: closeItems,
    creditedNotPaid: closeItems,
    amountMismatch: closeItems,
    reversedAtProviderOnly: closeItems,
    duplicates: closeItems,
    stuckPurchases: closeItems,
    stuckWithdrawals: closeItems,
  }),
  rollForward: z.object({
    openingMicros: microsText,
    inflowsMicros: microsText,
    usageMicros: microsText,
    expiriesMicros: microsText,
    withdrawalsMicros: microsText,
    adjustmentsMicros: microsText,
    closingMicros: microsText,
    creditMicros: microsText,
    debtMicros: microsText,
  }),
});

const problems = {
  400: { description: 'Invalid request' },
  401: { description: 'Missing or bad token' },
  403: { description: 'Not allowed for this token' },
};

export const ROUTE_RESPONSES: Record<keyof typeof api, NonNullable<RouteShape['responses']>> = {
  balance: {
    200: { description: 'Balance', schema: z.union([responses.balance, responses.balanceAt]) },
    ...problems,
  },
  check: { 200: { description: 'Check', schema: responses.check }, ...problems },
  transactions: {
    200: { description: 'A page of ledger entries, or CSV', schema: responses.transactions },
    ...problems,
  },
  usage: { 200: { description: 'Usage buckets', schema: responses.usage }, ...problems },
  digest: {
    200: { description: 'The digest of the day', schema: responses.digest },
    ...problems,
    404: { description: 'No digest is published for that day' },
  },
  proof: {
    200: { description: "The account's leaf and its path to the root", schema: responses.proof },
    ...problems,
    404: { description: 'No day closed yet, or the account had no entry before its cut-off' },
  },
  createCharge: {
    201: { description: 'Paid', schema: responses.chargePaid },
    202: { description: 'Waiting for credit (pending_payment)', schema: responses.chargePending },
    ...problems,
    409: { description: 'Idempotency-Key reused with another body, or too many pending charges' },
  },
  getCharge: {
    200: { description: 'Charge', schema: responses.charge },
    ...problems,
    404: { description: 'No such charge' },
  },
  refundCharge: {
    201: { description: 'Refunded', schema: responses.refund },
    ...problems,
    403: { description: 'Only credits:service and credits:admin tokens may refund' },
    404: { description: 'No such charge' },
    409: { description: 'Over the refundable amount, or the charge is not paid' },
  },
  cancelCharge: {
    200: { description: 'Cancelled', schema: responses.cancelled },
    ...problems,
    404: { description: 'No such charge' },
    409: { description: 'The charge is not pending' },
  },
  createPurchase: {
    201: { description: 'Pending until the provider reports the payment', schema: responses.purchaseCreated },
    ...problems,
    502: { description: 'The payment provider could not create the checkout; retrying is safe' },
  },
  getPurchase: {
    200: { description: 'Purchase', schema: responses.purchase },
    ...problems,
    404: { description: 'No such purchase' },
  },
  stripeWebhook: {
    200: { description: 'Received (and applied once, or ignored)', schema: responses.webhook },
    400: { description: 'Bad signature, stale timestamp, wrong currency or malformed event; nothing changed' },
    404: { description: 'An IO Credits purchase id that does not exist' },
  },
  spherepayWebhook: {
    200: { description: 'Received (and applied once, or ignored)', schema: responses.webhook },
    400: { description: 'Bad signature, wrong currency or malformed event; nothing changed' },
    404: { description: 'No such purchase' },
  },
  requestWithdrawal: {
    201: { description: 'Pending review', schema: responses.withdrawal },
    ...problems,
    402: { description: 'Over the withdrawable amount' },
    403: { description: 'The account never purchased credits' },
  },
  listWithdrawals: { 200: { description: 'Withdrawals', schema: withdrawalList }, ...problems },
  cancelWithdrawal: {
    200: { description: 'Cancelled', schema: responses.withdrawal },
    ...problems,
    404: { description: 'No such withdrawal' },
    409: { description: 'Not pending review' },
  },
  withdrawalQueue: { 200: { description: 'Withdrawals', schema: withdrawalList }, ...problems },
  approveWithdrawal: {
    200: { description: 'Approved', schema: responses.withdrawal },
    ...problems,
    404: { description: 'No such withdrawal' },
    409: { description: 'Not pending review, or the account owes money from a card refund or dispute' },
  },
  rejectWithdrawal: {
    200: { description: 'Rejected', schema: responses.withdrawal },
    ...problems,
    404: { description: 'No such withdrawal' },
    409: { description: 'Already completed, rejected or cancelled' },
  },
  completeWithdrawal: {
    200: { description: 'Completed', schema: responses.withdrawal },
    ...problems,
    404: { description: 'No such withdrawal' },
    409: { description: 'Not approved, or the account owes money from a card refund or dispute' },
  },
  grantPromotional: {
    201: { description: 'The new lot', schema: responses.grant },
    ...problems,
    409: { description: 'The account already holds 1,000 lots with credit left' },
  },
  setNegativeAllowance: {
    200: { description: 'Set', schema: responses.allowance },
    ...problems,
    409: { description: 'Below what the account owes on charges' },
  },
  auditLog: {
    200: {
      description: 'Audit records, newest first',
      schema: z.object({ items: z.array(auditRecord), nextCursor: z.string().nullable() }),
    },
    ...problems,
  },
  accountView: { 200: { description: 'The account', schema: accountViewOut }, ...problems },
  closes: {
    200: { description: 'Days with a close report', schema: z.object({ days: z.array(z.string()) }) },
    ...problems,
  },
  closeReport: {
    200: { description: "The day's close report", schema: closeReportOut },
    ...problems,
    404: { description: 'No close report for that day' },
  },
  resolveCloseItem: {
    200: {
      description: 'Resolved',
      schema: z.object({
        itemId: z.string(),
        resolved: z.object({ by: z.string(), at: z.string(), note: z.string() }),
      }),
    },
    ...problems,
    404: { description: 'No close report for that day, or no such item in it' },
    409: { description: 'Already resolved' },
  },
  notifications: { 200: { description: 'Notifications', schema: responses.notifications }, ...problems },
  billingProfile: { 200: { description: 'The billing profile', schema: partyOut }, ...problems },
  setBillingProfile: { 200: { description: 'Set', schema: partyOut }, ...problems },
  receipts: {
    200: {
      description: 'Receipts (or credit notes), newest first',
      schema: z.object({ items: z.array(documentOut), nextCursor: z.string().nullable() }),
    },
    ...problems,
  },
  receipt: {
    200: { description: 'The receipt or credit note', schema: documentOut },
    ...problems,
  },
  statement: {
    200: { description: 'The statement (or its CSV or PDF)', schema: responses.statement },
    ...problems,
    400: { description: 'Not a month (MM from 01 to 12), a month not begun yet, or a cursor that is not valid' },
    404: { description: 'Not a YYYY-MM path' },
  },
  limits: { 200: { description: 'The limits', schema: responses.limits }, ...problems },
  autoTopUp: { 200: { description: 'Auto top-up', schema: responses.autoTopUp }, ...problems },
  setAutoTopUp: {
    200: { description: 'Set', schema: responses.autoTopUp },
    ...problems,
    409: { description: 'No saved card' },
  },
  saveCard: {
    201: { description: 'Setup page', schema: responses.cardSetup },
    ...problems,
    502: { description: 'The card provider did not answer' },
  },
  alerts: { 200: { description: 'Alert settings', schema: responses.alerts }, ...problems },
  setAlerts: { 200: { description: 'Set', schema: responses.alerts }, ...problems },
  registerWebhookEndpoint: {
    201: { description: 'Registered', schema: responses.webhookEndpointCreated },
    ...problems,
    409: { description: 'Too many endpoints for this account' },
  },
  webhookEndpoints: {
    200: { description: 'Endpoints', schema: z.object({ items: z.array(responses.webhookEndpoint) }) },
    ...problems,
  },
  removeWebhookEndpoint: {
    200: { description: 'Removed', schema: responses.webhookEndpointRemoved },
    ...problems,
    404: { description: 'No such endpoint' },
  },
  webhookDeliveries: {
    200: { description: 'Deliveries', schema: z.object({ items: z.array(responses.webhookDelivery) }) },
    ...problems,
    404: { description: 'No such endpoint' },
  },
  retryWebhookDelivery: {
    200: { description: 'Attempted', schema: responses.webhookDelivery },
    ...problems,
    404: { description: 'No such endpoint or delivery' },
  },
  markNotificationRead: {
    200: { description: 'Read', schema: responses.notificationRead },
    ...problems,
    404: { description: 'No such notification' },
  },
  openapi: {
    200: { description: 'OpenAPI document' },
    429: {
      description: "Over the stage's request rate; API Gateway answers this itself, as a JSON message",
      schema: z.object({ message: z.string() }),
    },
  },
};
