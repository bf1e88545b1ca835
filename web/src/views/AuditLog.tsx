// Finance's Audit log (SPEC §14): every change a staff or service token made, newest first, who
// made it and what it changed, filtered by member of staff, account and dates, a page at a time,
// and exported as CSV exactly as the API writes it.

import { type FormEvent, useState } from 'react';
import { useCsvExport } from '../api/csv-export';
import { type AuditFilters, type AuditRecord, useAuditLog } from '../api/queries';
import { useAuth } from '../auth';
import { Alert, DateTime, Empty, ErrorState, Loading, problemText, TextField } from '../components/ui';
import { FinancePage } from './FinancePage';

const NO_FILTERS = { actor: '', accountId: '', from: '', to: '' };

export function AuditLog() {
  const [typed, setTyped] = useState(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>({});
  const { client } = useAuth();
  const csv = useCsvExport(
    () => client.GET('/admin/audit', { params: { query: { ...filters, format: 'csv' } }, parseAs: 'text' }),
    'io-credits-audit.csv',
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilters({
      ...(typed.actor.trim() ? { actor: typed.actor.trim() } : {}),
      ...(typed.accountId.trim() ? { accountId: typed.accountId.trim() } : {}),
      ...(typed.from ? { from: typed.from } : {}),
      ...(typed.to ? { to: `${typed.to}T23:59:59.999Z` } : {}),
    });
  };
  const field = (name: keyof typeof NO_FILTERS) => ({
    value: typed[name],
    onChange: (value: string) => setTyped({ ...typed, [name]: value }),
  });
  return (
    <FinancePage title="Audit log">
      <section className="card" aria-labelledby="audit">
        <div className="card-head">
          <h2 id="audit">Staff actions</h2>
          <button type="button" className="btn btn-small" onClick={() => void csv.run()} disabled={csv.busy}>
            {csv.busy ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
        <form className="filters" onSubmit={submit} noValidate aria-label="Filter the audit log">
          <TextField
            label="Member of staff"
            hint="Their IO ID (the token's sub)"
            className="mono"
            {...field('actor')}
          />
          <TextField label="Account (IO ID)" className="mono" {...field('accountId')} />
          <TextField label="From" type="date" {...field('from')} />
          <TextField label="To" type="date" {...field('to')} />
          <div className="actions">
            <button type="submit" className="btn btn-primary">
              Apply
            </button>
          </div>
        </form>
        {csv.error ? (
          <Alert tone="error" title="The export failed">
            {problemText(csv.error)}
          </Alert>
        ) : null}
        <AuditTable filters={filters} />
      </section>
    </FinancePage>
  );
}

/** The records matching `filters`, newest first, with a button for the next page. */
export function AuditTable({ filters }: { filters: AuditFilters }) {
  const log = useAuditLog(filters);
  if (log.isPending) return <Loading label="Loading the audit log…" />;
  if (log.isError) return <ErrorState error={log.error} retry={() => void log.refetch()} />;
  const records = log.data.pages.flatMap((page) => page.items);
  if (records.length === 0) return <Empty>No staff actions match.</Empty>;
  return (
    <>
      <div className="table-wrap">
        <table className="stack">
          <caption className="visually-hidden">Staff actions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Account</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {records.map((record) => (
              <AuditRow key={record.auditId} record={record} />
            ))}
          </tbody>
        </table>
      </div>
      {log.hasNextPage ? (
        <div className="actions">
          <button
            type="button"
            className="btn"
            disabled={log.isFetchingNextPage}
            onClick={() => void log.fetchNextPage()}
          >
            {log.isFetchingNextPage ? 'Loading…' : 'Older actions'}
          </button>
        </div>
      ) : null}
    </>
  );
}

function AuditRow({ record }: { record: AuditRecord }) {
  return (
    <tr>
      <td data-label="When">
        <DateTime iso={record.at} />
      </td>
      <td data-label="Who">
        <span className="mono">{record.actor}</span>
        <div className="small muted">{record.scope}</div>
      </td>
      <td data-label="Action">
        {record.action}
        <div className="small mono muted break">{record.subject}</div>
      </td>
      <td data-label="Account">
        <span className="mono">{record.accountId}</span>
      </td>
      <td data-label="Change" className="small">
        {record.before ? <div>Before: {valuesText(record.before)}</div> : null}
        {record.after ? <div>After: {valuesText(record.after)}</div> : null}
      </td>
    </tr>
  );
}

function valuesText(values: NonNullable<AuditRecord['after']>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name} ${Array.isArray(value) ? value.join(', ') || 'none' : String(value ?? 'none')}`)
    .join('; ');
}
