// Receipts and credit notes as PDF (SPEC §11): A4, the text drawn as text (selectable, searchable,
// extractable), in Inter embedded as a subset, so the document reads the same on every viewer.
// It renders the same view the JSON answers (http/documents.ts), so the two never disagree.
// pdf-lib draws; a page is laid out top-down from a cursor, one block after another.

import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import type { presentDocument } from '../http/documents.js';
import { paymentLabel } from '../http/documents.js';
import { INTER_BOLD_WOFF, INTER_REGULAR_WOFF } from './fonts.js';

export type DocumentView = ReturnType<typeof presentDocument>;

/** A4 in PostScript points. */
export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 56;
export const SIZE = { title: 20, text: 10, small: 8 };
export const INK = rgb(0.1, 0.12, 0.2);
export const MUTED = rgb(0.35, 0.38, 0.45);
/** A line's height, in multiples of its font size. */
export const LINE_HEIGHT = 1.45;

export interface Pen {
  page: PDFPage;
  regular: PDFFont;
  bold: PDFFont;
  y: number;
}

/** A document's PDF; its metadata names it, and no time of rendering goes in, so the bytes are stable. */
export async function documentPdf(view: DocumentView): Promise<Uint8Array> {
  const title = `${view.kind === 'receipt' ? 'Receipt' : 'Credit note'} ${view.number}`;
  const epoch = new Date(view.kind === 'receipt' ? view.paidAt : view.issuedAt);
  const { doc, regular, bold } = await newDocument({ title, author: view.seller.name, epoch });
  const pen: Pen = { page: doc.addPage(A4), regular, bold, y: A4[1] - MARGIN };
  write(pen, title, { font: bold, size: SIZE.title });
  pen.y -= 8;
  parties(pen, view);
  if (view.kind === 'receipt') receiptBody(pen, view);
  else creditNoteBody(pen, view);
  return doc.save({ useObjectStreams: false });
}

/** A PDF with Inter embedded (subset) and its metadata set; `epoch` as its dates, so the bytes are stable. */
export async function newDocument(meta: { title: string; author: string; epoch: Date }) {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const regular = await doc.embedFont(Buffer.from(INTER_REGULAR_WOFF, 'base64'), { subset: true });
  const bold = await doc.embedFont(Buffer.from(INTER_BOLD_WOFF, 'base64'), { subset: true });
  doc.setTitle(meta.title);
  doc.setAuthor(meta.author);
  doc.setProducer('IO Credits');
  doc.setCreator('IO Credits');
  doc.setCreationDate(meta.epoch);
  doc.setModificationDate(meta.epoch);
  return { doc, regular, bold };
}

function parties(pen: Pen, view: DocumentView): void {
  const seller = [view.seller.name, view.seller.address, ...(view.seller.taxId ? [`Tax ID ${view.seller.taxId}`] : [])];
  const buyer = view.buyer
    ? [
        view.buyer.name,
        view.buyer.address.line1,
        ...(view.buyer.address.line2 ? [view.buyer.address.line2] : []),
        [view.buyer.address.postalCode, view.buyer.address.city, view.buyer.address.region].filter(Boolean).join(' '),
        view.buyer.address.country,
        ...(view.buyer.taxId ? [`Tax ID (${view.buyer.taxId.type}) ${view.buyer.taxId.value}`] : []),
        ...(view.buyer.email ? [view.buyer.email] : []),
      ]
    : ['No billing profile was set when this was issued'];
  const top = pen.y;
  block(pen, 'From', seller, MARGIN);
  const sellerBottom = pen.y;
  pen.y = top;
  block(pen, 'Billed to', buyer, A4[0] / 2);
  pen.y = Math.min(pen.y, sellerBottom) - 12;
}

function block(pen: Pen, heading: string, lines: string[], x: number): void {
  write(pen, heading, { font: pen.bold, size: SIZE.small, color: MUTED, x });
  for (const line of lines) write(pen, line, { x, maxWidth: A4[0] / 2 - MARGIN });
}

function receiptBody(pen: Pen, view: Extract<DocumentView, { kind: 'receipt' }>): void {
  facts(pen, [
    ['Date paid', view.paidAt.slice(0, 10)],
    ['Paid with', paymentLabel(view.method, view.payment)],
    ['Purchase', view.purchaseId],
    ['Lot', view.lotId],
    ...(view.autoTopUp ? ([['Auto top-up', 'yes']] as [string, string][]) : []),
    ...(view.invoiceUrl ? ([['Invoice', view.invoiceUrl]] as [string, string][]) : []),
  ]);
  rule(pen);
  amountRow(pen, view.line, `${view.amount} USD`);
  rule(pen);
  amountRow(pen, 'Amount', `${view.amount} USD`);
  amountRow(pen, 'Tax', `${view.tax} USD`);
  amountRow(pen, 'Total', `${view.total} USD`, pen.bold);
  pen.y -= 16;
  write(pen, 'Currency: USD. Paid in full.', { size: SIZE.small, color: MUTED });
}

function creditNoteBody(pen: Pen, view: Extract<DocumentView, { kind: 'credit_note' }>): void {
  facts(pen, [
    ['Date issued', view.issuedAt.slice(0, 10)],
    ['Corrects receipt', view.receiptNumber ?? '(issued before receipts were numbered)'],
    ['Reason', view.reason === 'refund' ? 'Refund at the payment provider' : 'Dispute at the payment provider'],
    ['Provider reference', view.reference],
    ['Purchase', view.purchaseId],
  ]);
  rule(pen);
  amountRow(pen, 'IO Credits reversed (1 IO Credit = 1 USD)', `-${view.amount} USD`);
  rule(pen);
  amountRow(pen, 'Total credited', `-${view.total} USD`, pen.bold);
}

function facts(pen: Pen, rows: [string, string][]): void {
  for (const [label, value] of rows) {
    const y = pen.y;
    write(pen, label, { color: MUTED });
    pen.y = y;
    write(pen, value, { x: MARGIN + 110, maxWidth: A4[0] - 2 * MARGIN - 110 });
  }
  pen.y -= 6;
}

export function amountRow(pen: Pen, label: string, amount: string, font = pen.regular): void {
  const y = pen.y;
  write(pen, label, { font, maxWidth: A4[0] - 2 * MARGIN - 120 });
  const width = font.widthOfTextAtSize(amount, SIZE.text);
  // On the label's first baseline (write moves down a line's height before drawing).
  const baseline = y - SIZE.text * LINE_HEIGHT;
  pen.page.drawText(amount, { x: A4[0] - MARGIN - width, y: baseline, size: SIZE.text, font, color: INK });
}

export function rule(pen: Pen): void {
  pen.y -= 4;
  pen.page.drawLine({
    start: { x: MARGIN, y: pen.y },
    end: { x: A4[0] - MARGIN, y: pen.y },
    thickness: 0.5,
    color: MUTED,
  });
  pen.y -= 8;
}

/** Writes one line (wrapped at `maxWidth` on spaces or, for hashes and links, anywhere) and moves down. */
export function write(
  pen: Pen,
  text: string,
  options: { font?: PDFFont; size?: number; color?: ReturnType<typeof rgb>; x?: number; maxWidth?: number } = {},
): void {
  const font = options.font ?? pen.regular;
  const size = options.size ?? SIZE.text;
  const maxWidth = options.maxWidth ?? A4[0] - 2 * MARGIN;
  for (const line of wrap(text, font, size, maxWidth)) {
    pen.y -= size * LINE_HEIGHT;
    pen.page.drawText(line, { x: options.x ?? MARGIN, y: pen.y, size, font, color: options.color ?? INK });
  }
}

/** At most this many lines for one value: a document's fields are short. */
const MAX_LINES = 4;

function wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > 0 && lines.length < MAX_LINES) {
    let cut = rest.length;
    while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > maxWidth) cut -= 1;
    const space = rest.lastIndexOf(' ', cut);
    if (cut < rest.length && space > 0) cut = space;
    lines.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  return lines;
}
