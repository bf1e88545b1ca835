// What each route of the API is, in words: its OpenAPI summary and description. Kept apart from
// the route table (routes.ts), which every Lambda bundle carries, so only the OpenAPI document
// (and the tests that read it) carry the prose. The type makes a route without its words a
// compile error.

import type { api } from './routes.js';

export const ROUTE_DOCS: Record<keyof typeof api, { summary: string; description: string }> = {
  balance: {
    summary: 'The balance, what can be withdrawn, debt, lots and credits expiring within 30 days',
    description:
      'The spendable balance (expired lots excluded), what can be withdrawn, debt, the negative allowance, the ' +
      'lots with credit left and the credits expiring within 30 days. With `at`: the balance recorded by the ' +
      'last ledger entry at or before that instant, read by one query.',
  },
  check: {
    summary: 'Whether an amount is covered by the balance or the negative allowance',
    description:
      'Whether a deployment of this amount would be paid now, from the balance or the negative allowance, ' +
      'exactly as POST /credits/charges would decide; changes nothing.',
  },
  transactions: {
    summary: 'The transactions log, newest first; format=csv exports it',
    description:
      'Every movement of credit, newest first, filtered by type, category and date range, a page at a time ' +
      'with a signed cursor; format=csv exports up to 10,000 rows.',
  },
  usage: {
    summary: 'Usage and refunds per UTC day or month',
    description: 'Credits spent on deployments and refunded, per UTC day or month, over at most three years.',
  },
  digest: {
    summary: "A closed day's digest: the root and total of every account's balance at midnight UTC",
    description:
      'The digest published for a closed UTC day (SPEC §12): the Merkle sum tree root over one leaf per ' +
      'account, the total credit owed to users, and the hash of the day before; with its digestHash.',
  },
  proof: {
    summary: "Proof that the account's balance is counted in a day's published total",
    description:
      "The account's leaf in a closed day's digest (the latest when no day is given) and the path from it to " +
      'the root: recompute the root from them (SPEC §12) to check that your history and balance are included.',
  },
  createCharge: {
    summary: 'Charge a deployment paid with credits',
    description:
      'Pays a deployment with credits: lots first in consumption order, then the negative allowance; otherwise ' +
      'the charge waits in pending_payment until credit arrives or its grace deadline passes. Replays the ' +
      'first answer for the same Idempotency-Key.',
  },
  getCharge: {
    summary: 'A charge and its status',
    description: 'A charge, its status and what it took from each lot.',
  },
  refundCharge: {
    summary: 'Refund part or all of a paid charge as credits (deployment system and finance only)',
    description:
      'Gives part or all of a paid charge back as credits: first the debt it created, then to the lots it took ' +
      'from. Partial refunds add up to at most the charged amount. For the deployment system and finance only.',
  },
  cancelCharge: {
    summary: 'Cancel a pending charge',
    description: 'Cancels a charge still waiting in pending_payment; nothing was taken from it.',
  },
  createPurchase: {
    summary: 'Buy credits: a checkout at Stripe (card) or Spherepay (usdc)',
    description:
      'Creates a pending purchase and its checkout at the payment provider; the credits arrive when the ' +
      'provider reports the payment through its webhook.',
  },
  getPurchase: {
    summary: 'A purchase and its status',
    description: 'A purchase and its status, for the page the checkout returns to.',
  },
  stripeWebhook: {
    summary: 'Stripe events, verified by their Stripe-Signature',
    description:
      "Stripe's checkout, refund and dispute events, verified by their Stripe-Signature over the exact bytes; " +
      'each event takes effect once, in any order.',
  },
  spherepayWebhook: {
    summary: 'Spherepay events, verified by their signature header',
    description: "Spherepay's payment events, verified by their signature header; each event takes effect once.",
  },
  requestWithdrawal: {
    summary: 'Request a withdrawal of purchased credit',
    description:
      'Takes purchased credit out of the balance for a finance review, to be paid in USDC to the destination ' +
      'given; expected within seven business days.',
  },
  listWithdrawals: {
    summary: "The account's withdrawals, newest first",
    description: "The account's withdrawals and their status, newest first.",
  },
  cancelWithdrawal: {
    summary: 'Cancel a withdrawal still pending review',
    description: 'Cancels a withdrawal still pending review; its credit goes back to the balance.',
  },
  withdrawalQueue: {
    summary: 'Withdrawals in one status (default pending_review), oldest first',
    description: "Finance's queue: the withdrawals in one status, oldest request first.",
  },
  approveWithdrawal: {
    summary: 'Approve a withdrawal',
    description:
      'Approves a withdrawal for payout; refused while the account owes what a card refund or dispute took back, ' +
      'and for a withdrawal from your own account (403). Above WITHDRAWAL_DUAL_APPROVAL_ABOVE (1,000.00) it needs ' +
      'two different members of staff: the first approval leaves it pending_review with approvals: [you].',
  },
  rejectWithdrawal: {
    summary: 'Reject a withdrawal; the credit goes back to the account',
    description: 'Rejects a withdrawal with a reason; its credit goes back to the account.',
  },
  completeWithdrawal: {
    summary: 'Mark an approved withdrawal paid out',
    description: 'Records that an approved withdrawal was paid out, with the payout reference.',
  },
  grantPromotional: {
    summary: 'Grant promotional credit',
    description:
      'Grants promotional credit, with an optional expiry and conditions; it is spent before purchased credit ' +
      'that expires later and is never withdrawable.',
  },
  setNegativeAllowance: {
    summary: "Set an account's negative allowance",
    description:
      "Sets how far below zero the account's charges may take it; never below what it already owes on charges.",
  },
  auditLog: {
    summary: 'The audit log of staff actions, newest first',
    description:
      'One record per change a credits:admin or credits:service token made, written in the same transaction as ' +
      'the change and never updated or deleted: who (actor, scope), what (action, subject), on which account, ' +
      'and the values before and after. Filters by time, actor and account; cursor paging; format=csv exports ' +
      'up to 10,000 rows (X-Next-Cursor continues).',
  },
  accountView: {
    summary: 'An account as support and finance see it',
    description:
      'The balance (as /credits/balance), auto top-up, low-balance alert, webhook endpoints without their ' +
      'secrets, and counts of charges, purchases and withdrawals by status (of the newest 5,000 of each). ' +
      "The account's transactions, charges, purchases and withdrawals are read through the user routes with " +
      'accountId.',
  },
  closes: {
    summary: 'The days with a close report, newest first',
    description: 'The UTC days the daily close reconciled (SPEC §12), newest first, at most 100.',
  },
  closeReport: {
    summary: "A day's close: reconciliation with the providers and the roll-forward of every balance",
    description:
      'The report the daily close stored beside the digest (SPEC §12): the ledger against Stripe and Spherepay ' +
      'over the day and the three before it, matched by purchase id, in categories (matched, paid not credited, ' +
      'credited not paid, amount mismatches, reversed at the provider only, duplicates, purchases pending over ' +
      'an hour, withdrawals approved and not completed within 7 business days), each item with its resolution ' +
      'when staff resolved it; and the roll-forward in micro-credits: opening + inflows − usage − expiries − ' +
      'withdrawals + adjustments = closing = creditMicros − debtMicros. 404 before the day is reconciled.',
  },
  resolveCloseItem: {
    summary: 'Mark an item of a close report resolved, with a note',
    description:
      'Keeps who resolved it, when, and the note, with one audit record on the account the item is about. ' +
      '404 for a day without a report or an item not in it; 409 when it is already resolved.',
  },
  billingProfile: {
    summary: 'The billing profile receipts are made out to',
    description: "Who the account's receipts and credit notes are made out to; 404 until one is set.",
  },
  setBillingProfile: {
    summary: 'Set the billing profile',
    description:
      'Replaces the billing profile: name, email, address with an ISO 3166-1 alpha-2 country, and a tax id ' +
      '(eu_vat, gb_vat, us_ein, au_abn, in_gst) checked for its format and check digits. A wrong field is a 400 ' +
      'naming it. Receipts already issued keep the profile they were made with.',
  },
  receipts: {
    summary: 'Receipts or credit notes, newest first',
    description:
      'The receipts of completed purchases (card, USDC, auto top-up), numbered IOC-YYYY-NNNNNN from one gap-free ' +
      'sequence per year; with kind=credit_note, the credit notes of provider refunds and disputes ' +
      '(IOC-CN-YYYY-NNNNNN). Newest first, a cursor for the next page.',
  },
  receipt: {
    summary: 'One receipt or credit note, by its number',
    description:
      "A receipt or credit note of the caller's account: seller, buyer as at payment, method, line, amount, tax, " +
      'total in USD.',
  },
  statement: {
    summary: "A month's statement: opening balance, totals by section, closing balance",
    description:
      'The statement of a UTC calendar month (YYYY-MM): the opening balance (what the last entry before the ' +
      'month recorded, 0 before the first), the month summed by section (purchases, promotional grants, refunds, ' +
      'usage by product, expiries, withdrawals, reversals, adjustments) with counts, and the closing balance; ' +
      'opening + sections = closing exactly. The current month is partial (figures through now); a month not ' +
      'begun yet is a 400. A month whose last day is closed carries the ledger proof of that day (as ' +
      'GET /credits/proof?day=), otherwise proof is null with the reason. format=csv: every entry of the month, ' +
      'oldest first, in the transactions export columns, then the totals as rows of type statement (a month ' +
      'over 10,000 entries comes in parts: X-Next-Cursor, passed back as cursor; the totals end the last part). ' +
      'format=pdf (or Accept: application/pdf): an A4 PDF with the totals, usage by product, the proof, usage ' +
      'by day and product and every other entry.',
  },
  notifications: {
    summary: 'The Notification Center, newest first',
    description:
      'The Notification Center: purchases, top-ups needed, failed charges, refunds, withdrawals, expiring ' +
      'credit, newest first.',
  },
  limits: {
    summary: 'What a purchase and an auto top-up may be',
    description:
      'The smallest and largest purchase this deployment takes (5.00 to 10,000.00 unless it is configured ' +
      "otherwise) and the bounds of auto top-up's amount, for forms to check before they send.",
  },
  autoTopUp: {
    summary: 'Auto top-up: its settings, the saved card, this month so far',
    description:
      'Whether the saved card is charged automatically when the balance goes below the threshold or a charge ' +
      'waits for credit, how much, the monthly limit, and the top-ups this month.',
  },
  setAutoTopUp: {
    summary: 'Set auto top-up',
    description:
      'Amounts in whole cents; amount within GET /credits/limits, monthlyLimit at least the amount. Enabling ' +
      'it needs a saved card and clears earlier failures; a balance already below the threshold starts a ' +
      'top-up at once. At most one top-up is in flight; three failures in a row turn auto top-up off.',
  },
  saveCard: {
    summary: 'Save a card for auto top-up: answers the page where the user enters it',
    description:
      'Stripe Checkout in setup mode: the card is saved with Stripe, and only its customer and payment method ' +
      'ids are kept here (no card data). The card is saved when Stripe reports the setup succeeded.',
  },
  alerts: {
    summary: 'The low-balance alert threshold',
    description:
      'The balance below which an operation writes one `low_balance` notification (10.00 until set; null: off). ' +
      'Going below zero writes one `allowance_in_use` notification. Each fires once per crossing.',
  },
  setAlerts: {
    summary: 'Set the low-balance alert threshold',
    description:
      'Sets the threshold (null turns the alert off). A threshold above the current balance alerts nobody until ' +
      'the balance is back at or above it and falls below it again.',
  },
  registerWebhookEndpoint: {
    summary: 'Register a webhook endpoint; its signing secret is answered this once',
    description:
      'Registers an https URL for the given event types. Users register for their own account; services and ' +
      'admins for any account, or for every account by omitting accountId. The URL must not resolve to a ' +
      'private, loopback or link-local address. Each event is POSTed as `{id, type, createdAt, accountId, data}` ' +
      'with `IO-Credits-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.',
  },
  webhookEndpoints: {
    summary: 'The webhook endpoints registered (without their secrets)',
    description:
      "The caller's endpoints; a service or admin lists an account's with accountId, or those for every account.",
  },
  removeWebhookEndpoint: {
    summary: 'Remove a webhook endpoint',
    description:
      'Removes the endpoint; deliveries still waiting for it end as failed. Users remove their own ' +
      "account's endpoints; services and admins name the account with accountId (omitted: an endpoint for " +
      'every account); finance may remove any endpoint.',
  },
  webhookDeliveries: {
    summary: "An endpoint's deliveries, newest first, with every attempt",
    description:
      'Each event sent to the endpoint: pending (with its next attempt), delivered (a 2xx answer) or failed ' +
      '(no 2xx within 24 hours of retries with exponential backoff: dead-lettered), and every attempt made. ' +
      "Services and admins name the endpoint's account with accountId.",
  },
  retryWebhookDelivery: {
    summary: 'Send a delivery again now',
    description:
      'Sends the event again at once, whatever the delivery ended as; its earlier attempts stay listed. ' +
      "Services and admins name the endpoint's account with accountId.",
  },
  markNotificationRead: {
    summary: 'Mark a notification read',
    description: 'Marks a notification read.',
  },
  openapi: {
    summary: 'This API as an OpenAPI 3.1 document',
    description: 'This API as an OpenAPI 3.1 document, generated from the route table.',
  },
};
