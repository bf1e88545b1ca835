// Receipts (SPEC §11): a receipt for every completed purchase, newest first, a page at a time, each
// with how it was paid, its total, its PDF and, when Stripe made one, its hosted invoice; below,
// the credit notes of provider refunds and disputes, each naming the receipt it corrects.

import { cardLabel } from '../../../core/payments/card-label.js';
import { type CreditNoteView, type DocumentKind, type ReceiptView, useDocumentPdf, useDocuments } from '../api/billing';
import { Alert, Amount, DateTime, Empty, ErrorState, Loading, problemText } from '../components/ui';

export function ReceiptsCard() {
  const pdf = useDocumentPdf();
  return (
    <section className="card" aria-labelledby="receipts">
      <div className="card-head">
        <h2 id="receipts">Receipts</h2>
      </div>
      {pdf.error ? (
        <Alert tone="error" title="The PDF could not be downloaded">
          {problemText(pdf.error)}
        </Alert>
      ) : null}
      <DocumentList kind="receipt" pdf={pdf} />
      <DocumentList kind="credit_note" pdf={pdf} />
    </section>
  );
}

type Pdf = ReturnType<typeof useDocumentPdf>;

const COLUMNS: Record<DocumentKind, string[]> = {
  receipt: ['Number', 'Date paid', 'Paid with', 'Total', 'Documents'],
  credit_note: ['Number', 'Date issued', 'Corrects', 'Total', 'Documents'],
};

function DocumentList({ kind, pdf }: { kind: DocumentKind; pdf: Pdf }) {
  const documents = useDocuments(kind);
  const items = documents.data?.pages.flatMap((page) => page.items) ?? [];
  const what = kind === 'receipt' ? 'receipts' : 'credit notes';
  if (documents.isPending) return <Loading label={`Loading ${what}…`} />;
  if (documents.isError) return <ErrorState error={documents.error} retry={() => void documents.refetch()} />;
  // Credit notes are rare: their list shows only when there is one.
  if (kind === 'credit_note' && items.length === 0) return null;
  return (
    <>
      {kind === 'credit_note' ? <h3 className="subhead">Credit notes</h3> : null}
      {items.length === 0 ? (
        <Empty>No receipts yet. Each purchase of IO Credits gets one when it is paid.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="stack documents">
            <caption className="visually-hidden">
              {kind === 'receipt' ? 'Receipts' : 'Credit notes'}, newest first
            </caption>
            <thead>
              <tr>
                {COLUMNS[kind].map((name) => (
                  <th key={name} scope="col" className={name === 'Total' ? 'amount' : undefined}>
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((document) =>
                document.kind === 'receipt' ? (
                  <ReceiptRow key={document.number} receipt={document} pdf={pdf} />
                ) : (
                  <CreditNoteRow key={document.number} note={document} pdf={pdf} />
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
      {documents.hasNextPage ? (
        <div className="pager">
          <button
            type="button"
            className="btn btn-small"
            disabled={documents.isFetchingNextPage}
            onClick={() => void documents.fetchNextPage()}
          >
            {documents.isFetchingNextPage ? 'Loading…' : `Load more ${what}`}
          </button>
        </div>
      ) : null}
    </>
  );
}

function ReceiptRow({ receipt, pdf }: { receipt: ReceiptView; pdf: Pdf }) {
  return (
    <tr>
      <th scope="row" data-label="Number">
        <span className="mono">{receipt.number}</span>
      </th>
      <td data-label="Date paid">
        <DateTime iso={receipt.paidAt} date />
      </td>
      <td data-label="Paid with">
        <span>
          <PaidWith receipt={receipt} />
          {receipt.autoTopUp ? <span className="small muted"> (auto top-up)</span> : null}
        </span>
      </td>
      <td data-label="Total" className="amount">
        <Amount value={receipt.total} />
      </td>
      <td data-label="Documents">
        <span className="doc-links">
          <PdfButton number={receipt.number} pdf={pdf} />
          {receipt.invoiceUrl?.startsWith('https://') ? (
            <a href={receipt.invoiceUrl} target="_blank" rel="noopener noreferrer">
              Invoice<span className="visually-hidden"> of {receipt.number} at Stripe</span>
            </a>
          ) : null}
        </span>
      </td>
    </tr>
  );
}

function CreditNoteRow({ note, pdf }: { note: CreditNoteView; pdf: Pdf }) {
  return (
    <tr>
      <th scope="row" data-label="Number">
        <span className="mono">{note.number}</span>
      </th>
      <td data-label="Date issued">
        <DateTime iso={note.issuedAt} date />
      </td>
      <td data-label="Corrects">
        <span>
          {note.receiptNumber ? <span className="mono">{note.receiptNumber}</span> : 'An earlier purchase'}
          <span className="small muted"> ({note.reason === 'refund' ? 'refund' : 'dispute'})</span>
        </span>
      </td>
      <td data-label="Total" className="amount">
        <Amount value={`-${note.total}`} />
      </td>
      <td data-label="Documents">
        <PdfButton number={note.number} pdf={pdf} />
      </td>
    </tr>
  );
}

function PdfButton({ number, pdf }: { number: string; pdf: Pdf }) {
  const busy = pdf.busy === number;
  return (
    <button type="button" className="btn-link" disabled={busy} onClick={() => void pdf.download(number)}>
      {busy ? 'Downloading…' : 'PDF'}
      <span className="visually-hidden"> of {number}</span>
    </button>
  );
}

/** "Visa •••• 4242", "USDC on base, 0x12ab…9f3c": how a receipt's purchase was paid. */
function PaidWith({ receipt }: { receipt: Pick<ReceiptView, 'method' | 'payment'> }) {
  const { payment } = receipt;
  if (!payment) return receipt.method === 'card' ? 'Card' : 'USDC';
  if (payment.kind === 'card') return cardLabel(payment);
  return (
    <>
      USDC on {payment.network},{' '}
      <span className="nowrap" title={payment.transactionHash}>
        {shortHash(payment.transactionHash)}
      </span>
    </>
  );
}

function shortHash(hash: string): string {
  return hash.length > 14 ? `${hash.slice(0, 6)}…${hash.slice(-4)}` : hash;
}
