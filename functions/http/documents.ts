// How receipts and credit notes are shown (SPEC §11): the stored document, with the seller it is
// issued by and the line it documents, amounts as decimal strings in USD. The PDF renders this
// same view, so the JSON and the PDF never disagree.

import type { BillingDocument, PaymentDetails } from '../../core/items/receipt.js';
import { formatMicros } from '../../core/money.js';

export interface Seller {
  name: string;
  address: string;
  taxId?: string;
}

/** The seller, from SELLER_NAME, SELLER_ADDRESS and SELLER_TAX_ID; a local server without them says so. */
export function sellerFromEnv(env: NodeJS.ProcessEnv): Seller {
  return {
    name: env.SELLER_NAME || 'IO Credits (SELLER_NAME not set)',
    address: env.SELLER_ADDRESS || 'SELLER_ADDRESS not set',
    ...(env.SELLER_TAX_ID ? { taxId: env.SELLER_TAX_ID } : {}),
  };
}

/** The receipt's line: what was bought, and when it expires (a UTC date). */
export function receiptLine(expiresAt: string): string {
  return `IO Credits (prepaid; 1 IO Credit = 1 USD), expire ${expiresAt.slice(0, 10)}`;
}

/** How a payment is named on a document: "Visa •••• 4242", "USDC on base, transaction 0x…". */
export function paymentLabel(method: 'card' | 'usdc', payment: PaymentDetails | undefined): string {
  if (!payment) return method === 'card' ? 'Card' : 'USDC';
  if (payment.kind === 'card') return `${brandName(payment.brand)} •••• ${payment.last4}`;
  return `USDC on ${payment.network}, transaction ${payment.transactionHash}`;
}

const BRANDS: Record<string, string> = {
  amex: 'American Express',
  diners: 'Diners Club',
  discover: 'Discover',
  jcb: 'JCB',
  mastercard: 'Mastercard',
  unionpay: 'UnionPay',
  visa: 'Visa',
};

function brandName(brand: string): string {
  return BRANDS[brand] ?? (brand === 'unknown' ? 'Card' : brand);
}

export function presentDocument(document: BillingDocument, seller: Seller) {
  const common = { number: document.number, purchaseId: document.purchaseId, seller, buyer: document.buyer ?? null };
  if (document.kind === 'credit_note')
    return {
      kind: 'credit_note' as const,
      ...common,
      ...(document.receiptNumber ? { receiptNumber: document.receiptNumber } : {}),
      issuedAt: document.issuedAt,
      reason: document.reason,
      reference: document.reference,
      amount: formatMicros(document.amount),
      total: formatMicros(document.amount),
      currency: 'USD' as const,
    };
  return {
    kind: 'receipt' as const,
    ...common,
    lotId: document.lotId,
    paidAt: document.paidAt,
    method: document.method,
    autoTopUp: document.autoTopUp === true,
    ...(document.payment ? { payment: document.payment } : {}),
    line: receiptLine(document.expiresAt),
    expiresAt: document.expiresAt,
    amount: formatMicros(document.amount),
    tax: formatMicros(document.tax),
    total: formatMicros(document.total),
    currency: 'USD' as const,
    ...(document.invoiceUrl ? { invoiceUrl: document.invoiceUrl } : {}),
  };
}
