// The latest daily close (SPEC §12), on the Finance page: the day, its digest's hash, the
// roll-forward of every balance (opening + inflows − usage − expiries − withdrawals + adjustments =
// closing, and closing = credit − debt), and the items reconciliation found that are still open, by
// category, with the ledger's and the provider's amounts; each can be resolved with a note, kept
// with who resolved it and when, and shown under "Resolved".

import { type FormEvent, useState } from 'react';
import { type CloseItem, type CloseReport as Report, useLatestClose, useResolveCloseItem } from '../api/queries';
import { Alert, Dialog, Empty, ErrorState, Field, Loading, problemText } from '../components/ui';
import { decimalOfMicros, formatUsd } from '../money';

type CategoryName = keyof Report['categories'];

/** The categories with something to do, in the order finance reads them, and what each means. */
const OPEN_CATEGORIES: { name: CategoryName; label: string; leak?: true }[] = [
  { name: 'paidNotCredited', label: 'Paid, not credited (the user is owed)' },
  { name: 'creditedNotPaid', label: 'Credited, not paid', leak: true },
  { name: 'amountMismatch', label: 'Amount mismatch', leak: true },
  { name: 'reversedAtProviderOnly', label: 'Refunded or disputed at the provider only', leak: true },
  { name: 'duplicates', label: 'Duplicates', leak: true },
  { name: 'stuckPurchases', label: 'Purchases pending over an hour' },
  { name: 'stuckWithdrawals', label: 'Withdrawals not paid out in 7 business days' },
];

const FIGURES: { key: keyof Report['rollForward']; label: string; sign?: string }[] = [
  { key: 'openingMicros', label: 'Opening' },
  { key: 'inflowsMicros', label: 'Inflows', sign: '+' },
  { key: 'usageMicros', label: 'Usage', sign: '−' },
  { key: 'expiriesMicros', label: 'Expiries', sign: '−' },
  { key: 'withdrawalsMicros', label: 'Withdrawals', sign: '−' },
  { key: 'adjustmentsMicros', label: 'Adjustments', sign: '+' },
  { key: 'closingMicros', label: 'Closing' },
  { key: 'creditMicros', label: 'Credit owed to users' },
  { key: 'debtMicros', label: 'Debt owed by users' },
];

/** Micro-credits as dollars: cents always, further digits only when they are not zero. */
const usd = (micros: string) => formatUsd(decimalOfMicros(BigInt(micros)).replace(/(\.\d\d\d*?)0+$/, '$1'));

/** Whether opening + inflows − usage − expiries − withdrawals + adjustments = closing = credit − debt. */
function holds(r: Report['rollForward']): boolean {
  const b = (text: string) => BigInt(text);
  const rolled =
    b(r.openingMicros) +
    b(r.inflowsMicros) -
    b(r.usageMicros) -
    b(r.expiriesMicros) -
    b(r.withdrawalsMicros) +
    b(r.adjustmentsMicros);
  return rolled === b(r.closingMicros) && b(r.closingMicros) === b(r.creditMicros) - b(r.debtMicros);
}

export function CloseReport() {
  const close = useLatestClose();
  const [resolving, setResolving] = useState<CloseItem | null>(null);
  const resolve = useResolveCloseItem();
  return (
    <section className="card" aria-labelledby="close-report">
      <div className="card-head">
        <h2 id="close-report">Daily close</h2>
      </div>
      {close.isPending ? <Loading label="Loading the latest close…" /> : null}
      {close.isError ? <ErrorState error={close.error} retry={() => void close.refetch()} /> : null}
      {close.data === null ? <Empty>No day has been closed yet.</Empty> : null}
      {close.data ? <Body report={close.data} onResolve={setResolving} /> : null}
      <Dialog open={resolving !== null} title="Resolve item" onClose={() => setResolving(null)}>
        {resolving && close.data ? (
          <NoteForm
            item={resolving}
            onSubmit={async (note) => (
              await resolve.mutateAsync({ day: close.data!.day, itemId: resolving.itemId, note }), setResolving(null)
            )}
          />
        ) : null}
      </Dialog>
    </section>
  );
}

function Body({ report, onResolve }: { report: Report; onResolve: (item: CloseItem) => void }) {
  const open = OPEN_CATEGORIES.map((c) => ({ ...c, items: report.categories[c.name].filter((i) => !i.resolved) }));
  const resolved = OPEN_CATEGORIES.flatMap((c) =>
    report.categories[c.name].filter((i) => i.resolved).map((item) => ({ ...c, item })),
  );
  const openCount = open.reduce((n, c) => n + c.items.length, 0);
  const balanced = holds(report.rollForward);
  return (
    <>
      <p className="small">
        <strong>{report.day}</strong> · digest <span className="mono">{report.digestHash.slice(0, 16)}…</span> ·{' '}
        {report.categories.matched.length} matched
      </p>
      {balanced ? null : (
        <Alert tone="error" title="The roll-forward does not add up">
          Closing is not opening plus the day's movements, or not the digest's credit less the debt.
        </Alert>
      )}
      <dl className="roll-forward" aria-label="Roll-forward">
        {FIGURES.map((f) => (
          <div key={f.key}>
            <dt>
              {f.sign ? `${f.sign} ` : ''}
              {f.label}
            </dt>
            <dd className="num">{usd(report.rollForward[f.key])}</dd>
          </div>
        ))}
      </dl>
      <h3>Open items ({openCount})</h3>
      {openCount === 0 ? <Empty>Nothing to resolve.</Empty> : null}
      {open
        .filter((c) => c.items.length > 0)
        .map((c) => (
          <div key={c.name} className="close-category">
            <h4>
              {c.label} <span className={`badge${c.leak ? ' badge-bad' : ' badge-warn'}`}>{c.items.length}</span>
            </h4>
            <ul className="close-items">
              {c.items.map((item) => (
                <li key={item.itemId}>
                  <ItemLine item={item} />
                  <button type="button" className="btn btn-small" onClick={() => onResolve(item)}>
                    Resolve
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ))}
      {resolved.length > 0 ? (
        <>
          <h3>Resolved ({resolved.length})</h3>
          <ul className="close-items">
            {resolved.map(({ item, label }) => (
              <li key={item.itemId}>
                <ItemLine item={item} category={label} />
                <span className="small">
                  {item.resolved!.by}, {item.resolved!.at.slice(0, 16).replace('T', ' ')} UTC: {item.resolved!.note}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

function ItemLine({ item, category }: { item: CloseItem; category?: string }) {
  return (
    <div className="close-item">
      {category ? <span className="small muted">{category}</span> : null}
      <span>
        <span className="mono">{item.accountId || 'unknown account'}</span>
        {item.purchaseId ? <span className="mono small"> · {item.purchaseId}</span> : null}
        {item.provider ? <span className="small"> · {item.provider}</span> : null}
      </span>
      <span className="small">
        {item.ledgerMicros !== undefined ? <>ledger {usd(item.ledgerMicros)} </> : null}
        {item.providerMicros !== undefined ? <>provider {usd(item.providerMicros)}</> : null}
      </span>
      <span className="small muted">{item.detail}</span>
    </div>
  );
}

function NoteForm({ item, onSubmit }: { item: CloseItem; onSubmit: (note: string) => Promise<void> }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) return setError('Say what was done, so the next reader knows.');
    onSubmit(note.trim()).catch((e: unknown) => setError(problemText(e)));
  };
  return (
    <form className="stack-form" onSubmit={submit} noValidate>
      <p className="small">{item.detail}</p>
      <Field label="Note" error={error}>
        {(props) => <textarea {...props} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <div className="actions">
        <button type="submit" className="btn btn-primary">
          Mark resolved
        </button>
      </div>
    </form>
  );
}
