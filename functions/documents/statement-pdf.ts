// A monthly statement as PDF (SPEC §11): A4, text drawn as text in Inter embedded as a subset, as
// many pages as the month needs. It shows the JSON's figures (http/statements.ts): the totals by
// section, usage by product, the ledger proof of a closed month; then usage grouped by day and
// product (a month of 10,000 charges stays a few pages), and every other entry one by one (up to
// MAX_LISTED_ENTRIES; the CSV has every entry). Each page is numbered in its footer.

import type { PDFFont } from 'pdf-lib';
import { MAX_LISTED_ENTRIES, STATEMENT_SECTIONS, type StatementDetail } from '../../core/ledger/statements.js';
import { formatMicros, type Micros } from '../../core/money.js';
import { isProduct, PRODUCT_NAMES } from '../../core/products.js';
import type { Seller } from '../http/documents.js';
import { EXPIRY_TIMING_LABEL, SECTION_LABELS, type StatementView } from '../http/statements.js';
import { A4, amountRow, INK, LINE_HEIGHT, MARGIN, MUTED, newDocument, type Pen, rule, SIZE, write } from './pdf.js';

const LINE = SIZE.text * LINE_HEIGHT;

/** `$12.50`, `-$1,003.000125`: an amount (micros, or the API's decimal string), never rounded. */
export function usd(amount: Micros | string): string {
  const text = typeof amount === 'string' ? amount : formatMicros(amount);
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  return `${negative ? '-' : ''}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/** A digest's integer micros (a decimal string, possibly beyond 2^53 for a total) as `usd` writes it. */
export function usdOfMicrosText(text: string): string {
  const negative = text.startsWith('-');
  const digits = (negative ? text.slice(1) : text).padStart(7, '0');
  const whole = digits.slice(0, -6).replace(/^0+(?=\d)/, '');
  let fraction = digits.slice(-6);
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return usd(`${negative ? '-' : ''}${whole}.${fraction}`);
}

interface Book {
  pen: Pen;
  newPage(): void;
  /** The header row of the table being drawn: repeated at the top of each page it continues on. */
  tableHeader?: () => void;
}

/** Moves to a new page when fewer than `lines` lines are left on this one. */
function room(book: Book, lines: number): void {
  if (book.pen.y - lines * LINE < MARGIN + 24) book.newPage();
}

export async function statementPdf(view: StatementView, detail: StatementDetail, seller: Seller): Promise<Uint8Array> {
  const title = `Statement ${view.month}`;
  const { doc, regular, bold } = await newDocument({ title, author: seller.name, epoch: new Date(view.through) });
  const pen: Pen = { page: doc.addPage(A4), regular, bold, y: A4[1] - MARGIN };
  const book: Book = {
    pen,
    newPage: () => {
      pen.page = doc.addPage(A4);
      pen.y = A4[1] - MARGIN;
      book.tableHeader?.();
    },
  };
  heading(pen, view, seller, title);
  totals(book, view);
  proof(book, view);
  usageByDay(book, detail);
  otherEntries(book, detail);
  const pages = doc.getPages();
  pages.forEach((page, i) => {
    const text = `${title} · ${view.accountId} · page ${i + 1} of ${pages.length}`;
    page.drawText(text, { x: MARGIN, y: MARGIN / 2, size: SIZE.small, font: regular, color: MUTED });
  });
  return doc.save({ useObjectStreams: false });
}

function heading(pen: Pen, view: StatementView, seller: Seller, title: string): void {
  write(pen, title, { font: pen.bold, size: SIZE.title });
  pen.y -= 4;
  const lastDay = new Date(Date.parse(view.to) - 1).toISOString().slice(0, 10);
  const period = `${view.from.slice(0, 10)} to ${lastDay} (UTC)`;
  const rows: [string, string][] = [
    ['From', [seller.name, seller.address].join(', ')],
    ['Account', view.accountId],
    ['Period', period],
    ...(view.partial
      ? ([['Partial', `the month is not over: figures through ${view.through}`]] as [string, string][])
      : []),
    ['Entries', String(view.entries)],
  ];
  for (const [label, value] of rows) {
    const y = pen.y;
    write(pen, label, { color: MUTED });
    pen.y = y;
    write(pen, value, { x: MARGIN + 90, maxWidth: A4[0] - 2 * MARGIN - 90 });
  }
  pen.y -= 8;
}

function totals(book: Book, view: StatementView): void {
  const { pen } = book;
  subheading(book, 'Summary');
  amountRow(pen, 'Opening balance', usd(view.openingBalance), pen.bold);
  rule(pen);
  for (const section of STATEMENT_SECTIONS) {
    const { amount, count } = view.sections[section];
    amountRow(pen, `${SECTION_LABELS[section]} (${count})`, usd(amount));
  }
  if (view.expiryTiming !== '0.00') amountRow(pen, EXPIRY_TIMING_LABEL, usd(view.expiryTiming));
  rule(pen);
  amountRow(pen, `Closing balance${view.partial ? ' (so far)' : ''}`, usd(view.closingBalance), pen.bold);
  pen.y -= 8;
  const usage = Object.entries(view.sections.usage.byProduct);
  if (usage.length === 0) return;
  subheading(book, 'Usage by product');
  for (const [product, total] of usage)
    if (isProduct(product)) amountRow(pen, `${PRODUCT_NAMES[product]} (${total.count})`, usd(total.amount));
  pen.y -= 8;
}

function proof(book: Book, view: StatementView): void {
  const { pen } = book;
  room(book, 6);
  subheading(book, 'Ledger proof');
  if (!view.proof) {
    write(pen, `No proof: ${view.proofReason}.`, { color: MUTED });
    pen.y -= 8;
    return;
  }
  const { digest, digestHash, leaf } = view.proof;
  const balance = usdOfMicrosText(leaf.balanceMicros);
  const published = usdOfMicrosText(digest.creditMicros);
  write(pen, `Digest of ${digest.day} (cut-off ${digest.cutoff})`);
  write(pen, `digestHash ${digestHash}`, { size: SIZE.small });
  write(pen, `Your balance of ${balance} is included in the published total of ${published}.`);
  write(pen, 'Check it with GET /credits/proof?day= and the client library (proofs.verify).', {
    size: SIZE.small,
    color: MUTED,
  });
  pen.y -= 8;
}

function usageByDay(book: Book, detail: StatementDetail): void {
  if (detail.usageByDay.length === 0) return;
  room(book, 4);
  subheading(book, 'Usage by day and product');
  const columns = [MARGIN, MARGIN + 90, MARGIN + 230];
  table(book, ['Day', 'Product', 'Charges'], columns, () => {
    for (const group of detail.usageByDay)
      tableRow(book, [group.day, PRODUCT_NAMES[group.product], String(group.count)], usd(group.amount), columns);
  });
  book.pen.y -= 8;
}

function otherEntries(book: Book, detail: StatementDetail): void {
  if (detail.entries.length === 0) return;
  room(book, 4);
  subheading(book, 'Other entries');
  const columns = [MARGIN, MARGIN + 70, MARGIN + 175];
  tableRow(book, ['Date', 'Type', 'Description'], 'Amount', columns, book.pen.bold);
  for (const entry of detail.entries)
    tableRow(book, [entry.createdAt.slice(0, 10), typeName(entry.type), entry.description], usd(entry.amount), columns);
  if (detail.unlisted > 0)
    write(book.pen, `… and ${detail.unlisted} more (only the first ${MAX_LISTED_ENTRIES} are listed): see the CSV.`, {
      color: MUTED,
    });
}

/** `withdrawal_reversal` → `Withdrawal reversal`. */
function typeName(type: string): string {
  const words = type.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function subheading(book: Book, text: string): void {
  room(book, 3);
  write(book.pen, text, { font: book.pen.bold, size: SIZE.text + 2 });
  book.pen.y -= 2;
}

/** A table: its header row, then `rows`; the header is drawn again on each page the rows continue on. */
function table(book: Book, headings: string[], columns: number[], rows: () => void): void {
  const header = () => tableRow(book, headings, 'Amount', columns, book.pen.bold);
  header();
  book.tableHeader = header;
  rows();
  book.tableHeader = undefined;
}

/** One line of a table: cells cut to their column, the amount right-aligned. */
function tableRow(book: Book, cells: string[], amount: string, columns: number[], font?: PDFFont): void {
  room(book, 1);
  const { pen } = book;
  const face = font ?? pen.regular;
  pen.y -= LINE;
  cells.forEach((cell, i) => {
    const end = i + 1 < columns.length ? columns[i + 1]! - 8 : A4[0] - MARGIN - 90;
    const text = fit(cell, face, end - columns[i]!);
    pen.page.drawText(text, { x: columns[i]!, y: pen.y, size: SIZE.text, font: face, color: INK });
  });
  const width = face.widthOfTextAtSize(amount, SIZE.text);
  pen.page.drawText(amount, { x: A4[0] - MARGIN - width, y: pen.y, size: SIZE.text, font: face, color: INK });
}

/** The text, cut with an ellipsis to fit `width`. */
function fit(text: string, font: PDFFont, width: number): string {
  if (font.widthOfTextAtSize(text, SIZE.text) <= width) return text;
  let cut = text.length;
  while (cut > 1 && font.widthOfTextAtSize(`${text.slice(0, cut)}…`, SIZE.text) > width) cut -= 1;
  return `${text.slice(0, cut)}…`;
}
