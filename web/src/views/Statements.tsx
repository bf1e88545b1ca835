// Statements (SPEC §11): a month's statement of the account, from its first month of activity to the
// current one (partial until it ends): the opening balance, the month summed by section with usage
// by product, the closing balance, whether the month is in a published digest, and the statement as
// the API renders it, PDF or CSV.

import { useState } from 'react';
import { useFileExport } from '../api/csv-export';
import { type Statement, useStatement } from '../api/queries';
import { useAuth } from '../auth';
import { Alert, Amount, DateTime, ErrorState, Loading, problemText } from '../components/ui';
import { formatUsd } from '../money';
import { PRODUCT_NAMES, PRODUCTS } from '../products';

type Section = keyof Statement['sections'];

/** The statement's lines, in the order the PDF prints them. */
const LINES: [Section, string][] = [
  ['purchases', 'Purchases'],
  ['promotionalGrants', 'Promotional grants'],
  ['refunds', 'Refunds'],
  ['usage', 'Usage'],
  ['expiries', 'Expiries'],
  ['withdrawals', 'Withdrawals'],
  ['reversals', 'Reversals'],
  ['adjustments', 'Adjustments'],
];

const monthName = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The months from `first` to `last` (YYYY-MM, UTC), newest first; at most 10 years of them. */
function monthsBack(first: string, last: string): string[] {
  const months: string[] = [];
  let at = Date.parse(`${last}-01T00:00:00Z`);
  for (let i = 0; i < 120; i += 1) {
    const month = new Date(at).toISOString().slice(0, 7);
    months.push(month);
    if (month <= first) break;
    const date = new Date(at);
    at = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
  }
  return months;
}

export function StatementsCard() {
  const current = new Date().toISOString().slice(0, 7);
  const [month, setMonth] = useState(current);
  const statement = useStatement(month);
  // Every statement names the account's first month; until the first answer, the current month alone.
  const months = monthsBack(statement.data?.firstMonth ?? current, current);
  const label = (m: string) =>
    `${monthName.format(Date.parse(`${m}-01T00:00:00Z`))}${m === current ? ' (partial)' : ''}`;

  return (
    <section className="card" aria-labelledby="statements">
      <div className="card-head">
        <h2 id="statements">Statements</h2>
        <Downloads month={month} />
      </div>
      <div className="form-row">
        <div className="field statement-month">
          <label htmlFor="statement-month">Month</label>
          <select id="statement-month" value={month} onChange={(e) => setMonth(e.target.value)}>
            {months.map((m) => (
              <option key={m} value={m}>
                {label(m)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {statement.isPending ? <Loading label="Loading the statement…" /> : null}
      {statement.isError ? <ErrorState error={statement.error} retry={() => void statement.refetch()} /> : null}
      {statement.data ? <Figures statement={statement.data} /> : null}
    </section>
  );
}

function Downloads({ month }: { month: string }) {
  const { client } = useAuth();
  const path = { month };
  const pdf = useFileExport(
    () => client.GET('/credits/statements/{month}', { params: { path, query: { format: 'pdf' } }, parseAs: 'blob' }),
    `io-credits-statement-${month}.pdf`,
    'application/pdf',
  );
  const csv = useFileExport(
    () => client.GET('/credits/statements/{month}', { params: { path, query: { format: 'csv' } }, parseAs: 'text' }),
    `io-credits-statement-${month}.csv`,
    'text/csv',
  );
  const failed = pdf.error ?? csv.error;
  return (
    <div className="actions">
      <button type="button" className="btn btn-small" onClick={() => void pdf.run()} disabled={pdf.busy}>
        {pdf.busy ? 'Preparing…' : 'Download PDF'}
      </button>
      <button type="button" className="btn btn-small" onClick={() => void csv.run()} disabled={csv.busy}>
        {csv.busy ? 'Exporting…' : 'Download CSV'}
      </button>
      {failed ? (
        <Alert tone="error" title="The download failed">
          {problemText(failed)}
        </Alert>
      ) : null}
    </div>
  );
}

function Figures({ statement }: { statement: Statement }) {
  const usage = statement.sections.usage.byProduct;
  return (
    <>
      {statement.partial ? (
        <p className="small muted">
          This month is not over: the figures are up to <DateTime iso={statement.through} />.
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="statement-lines">
          <caption className="visually-hidden">Statement of {statement.month}, by section</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col" className="amount">
                Entries
              </th>
              <th scope="col" className="amount">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            <Line name="Opening balance" amount={statement.openingBalance} strong />
            {LINES.flatMap(([section, name]) => [
              <Line
                key={section}
                name={name}
                count={statement.sections[section].count}
                amount={statement.sections[section].amount}
              />,
              // Usage by product, under the usage line.
              ...(section === 'usage'
                ? PRODUCTS.filter((p) => usage[p]).map((p) => (
                    <Line
                      key={p}
                      name={`Usage: ${PRODUCT_NAMES[p]}`}
                      count={usage[p]!.count}
                      amount={usage[p]!.amount}
                      sub
                    />
                  ))
                : []),
            ])}
            {statement.expiryTiming === '0.00' ? null : (
              <Line name="Expired in one month, entered in another" amount={statement.expiryTiming} />
            )}
          </tbody>
          <tfoot>
            <Line
              name={statement.partial ? 'Closing balance so far' : 'Closing balance'}
              amount={statement.closingBalance}
              strong
            />
          </tfoot>
        </table>
      </div>
      <p className="small muted">
        {statement.proof
          ? `Your balance of ${formatUsd(statement.closingBalance)} is included in the digest published for ` +
            `${statement.proof.digest.day} (digestHash ${statement.proof.digestHash.slice(0, 16)}…).`
          : `No ledger proof: ${statement.proofReason}.`}
      </p>
    </>
  );
}

function Line(props: { name: string; amount: string; count?: number; strong?: boolean; sub?: boolean }) {
  const { name, amount, count, strong = false, sub = false } = props;
  return (
    <tr className={sub ? 'sub' : undefined}>
      <th scope="row">{strong ? <strong>{name}</strong> : name}</th>
      <td className="amount num">{count ?? ''}</td>
      <td className="amount">
        {strong ? (
          <strong>
            <Amount value={amount} />
          </strong>
        ) : (
          <Amount value={amount} signed colour />
        )}
      </td>
    </tr>
  );
}
