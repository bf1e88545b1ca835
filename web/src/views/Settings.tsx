// Settings: auto top-up with a saved card and the low-balance alert (SPEC §8), and the webhook
// endpoints that receive the account's events, each with its deliveries and a retry (SPEC §9). A
// new endpoint's signing secret is shown once, right after it is registered.

import { type FormEvent, lazy, Suspense, useId, useState } from 'react';
import { EVENT_DESCRIPTIONS, EVENT_TYPES, type EventType } from '../../../core/event-types.js';
import {
  type AutoTopUp,
  type Limits,
  useAlerts,
  useAutoTopUp,
  useCardSetup,
  useDeliveries,
  useRegisterEndpoint,
  useRemoveEndpoint,
  useRetryDelivery,
  useSetAlerts,
  useSetAutoTopUp,
  useWebhookEndpoints,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../api/queries';
import {
  ActionError,
  Alert,
  Amount,
  AmountField,
  DateTime,
  Empty,
  ErrorState,
  Field,
  Loading,
  StatusBadge,
} from '../components/ui';
import { centsOfInput, centsRange, decimalOfCents, formatUsd, microsOf } from '../money';
import { WithLimits } from './BuyDialog';

// Loaded with Settings' last card: its country list stays out of the app's first download.
const BillingProfileCard = lazy(() => import('./BillingProfile').then((m) => ({ default: m.BillingProfileCard })));

export function Settings() {
  return (
    <main id="main">
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <AutoTopUpCard />
      <LowBalanceAlertCard />
      <WebhooksCard />
      <Suspense fallback={<Loading label="Loading the billing profile…" />}>
        <BillingProfileCard />
      </Suspense>
    </main>
  );
}

function AutoTopUpCard() {
  const current = useAutoTopUp();
  if (current.isPending) return <Loading label="Loading auto top-up…" />;
  if (current.isError) return <ErrorState error={current.error} retry={() => void current.refetch()} />;
  return <WithLimits>{(limits) => <AutoTopUpForm current={current.data} limits={limits} />}</WithLimits>;
}

interface TopUpFields {
  threshold: string;
  amount: string;
  monthlyLimit: string;
}

/** The fields as whole cents (null where not an amount), and what in them stops a save. */
function topUpRequest(fields: TopUpFields, limits: Limits) {
  const range = centsRange(limits.autoTopUp);
  const cents = {
    threshold: centsOfInput(fields.threshold),
    amount: centsOfInput(fields.amount),
    monthlyLimit: centsOfInput(fields.monthlyLimit),
  };
  const money = 'Enter an amount in dollars and cents.';
  const errors: Record<keyof TopUpFields, string | null> = {
    threshold: cents.threshold === null ? money : null,
    amount:
      cents.amount === null
        ? money
        : cents.amount < range.min || cents.amount > range.max
          ? `A top-up is between ${formatUsd(limits.autoTopUp.min)} and ${formatUsd(limits.autoTopUp.max)}.`
          : null,
    monthlyLimit:
      cents.monthlyLimit === null
        ? money
        : cents.amount !== null && cents.monthlyLimit < cents.amount
          ? 'The monthly limit must be at least one top-up.'
          : null,
  };
  return { cents, errors, valid: !Object.values(errors).some(Boolean) };
}

function AutoTopUpForm({ current, limits }: { current: AutoTopUp; limits: Limits }) {
  const save = useSetAutoTopUp();
  const setup = useCardSetup();
  const [enabled, setEnabled] = useState(current.enabled);
  const { threshold, amount, monthlyLimit } = current;
  const [fields, setFields] = useState<TopUpFields>({ threshold, amount, monthlyLimit });
  const [touched, setTouched] = useState(false);
  const { cents, errors, valid } = topUpRequest(fields, limits);
  const field = (name: keyof TopUpFields) => ({
    value: fields[name],
    onChange: (value: string) => setFields({ ...fields, [name]: value }),
    error: touched ? errors[name] : null,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!valid) return;
    save.mutate({
      enabled,
      threshold: decimalOfCents(cents.threshold!),
      amount: decimalOfCents(cents.amount!),
      monthlyLimit: decimalOfCents(cents.monthlyLimit!),
    });
  };
  return (
    <section className="card" aria-labelledby="auto-top-up">
      <div className="card-head">
        <h2 id="auto-top-up">Auto top-up</h2>
        <button
          type="button"
          className="btn"
          disabled={setup.isPending}
          onClick={() => setup.mutate(undefined, { onSuccess: (page) => window.location.assign(page.checkoutUrl) })}
        >
          {current.card ? 'Change card' : 'Save a card'}
        </button>
      </div>
      <p className="muted small">
        Your saved card is charged automatically so deployments keep running: when your balance falls below the amount
        you choose, and when a deployment waits for credit (then by at least what it needs). One top-up at a time, never
        more than the monthly limit; three failed top-ups in a row turn it off.
      </p>
      <TopUpStatus current={current} />
      <ActionError action={setup} title="The card page could not be opened" />
      <ActionError action={save} title="Auto top-up was not saved" />
      {save.isSuccess ? <Alert tone="good" title="Auto top-up saved" /> : null}
      <form className="stack-form" onSubmit={submit} noValidate aria-label="Auto top-up settings">
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Top up
          automatically
        </label>
        <div className="inline-form">
          <AmountField label="When the balance is below (USD)" {...field('threshold')} />
          <AmountField label="Top up by (USD)" {...field('amount')} />
          <AmountField label="At most per month (USD)" {...field('monthlyLimit')} />
        </div>
        <TopUpRule enabled={enabled} cents={cents} />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            Save auto top-up
          </button>
        </div>
      </form>
    </section>
  );
}

/** The settings as typed, in one sentence that changes as they do. */
function TopUpRule({ enabled, cents }: { enabled: boolean; cents: Record<keyof TopUpFields, bigint | null> }) {
  const { threshold, amount, monthlyLimit } = cents;
  const usd = (value: bigint) => formatUsd(decimalOfCents(value));
  return (
    <p className="rule" data-testid="auto-top-up-rule" aria-live="polite">
      {threshold === null || amount === null || monthlyLimit === null
        ? 'Enter the amounts in dollars and cents to see what auto top-up will do.'
        : `${enabled ? 'When' : 'Off: nothing is charged. Turned on: when'} your balance falls below ` +
          `${usd(threshold)}, your saved card is charged ${usd(amount)} — at most ${usd(monthlyLimit)} a month.`}
    </p>
  );
}

/** The saved card, and how much of this month's limit top-ups have used (as saved, not as typed). */
function TopUpStatus({ current }: { current: AutoTopUp }) {
  const id = useId();
  return (
    <div className="top-up-status">
      <p>
        {current.card ? (
          <>
            Saved card: <strong>{current.card}</strong>.
          </>
        ) : (
          <>No card saved yet.</>
        )}
        {current.failuresInARow === 1 ? ' The last top-up failed.' : ''}
        {current.failuresInARow > 1 ? ` The last ${current.failuresInARow} top-ups failed.` : ''}
      </p>
      <div className="usage-meter">
        <label htmlFor={id}>Top-ups this month</label>
        <meter
          id={id}
          min={0}
          max={100}
          low={75}
          high={90}
          optimum={0}
          value={percentUsed(current.spentThisMonth, current.monthlyLimit)}
          aria-describedby={`${id}-used`}
        />
        <span id={`${id}-used`} className="small">
          {formatUsd(current.spentThisMonth)} of {formatUsd(current.monthlyLimit)} used this month
          {current.topUpInFlight ? ' (a top-up is on its way)' : ''}
        </span>
      </div>
    </div>
  );
}

/** Whole percent of the limit, by integer arithmetic on the decimal strings; 0 to 100. */
function percentUsed(spent: string, limit: string): number {
  const limitMicros = microsOf(limit);
  if (limitMicros <= 0n) return microsOf(spent) > 0n ? 100 : 0;
  const percent = (microsOf(spent) * 100n) / limitMicros;
  return Number(percent > 100n ? 100n : percent < 0n ? 0n : percent);
}

function LowBalanceAlertCard() {
  const alerts = useAlerts();
  const save = useSetAlerts();
  const [threshold, setThreshold] = useState('');
  const [touched, setTouched] = useState(false);
  const cents = centsOfInput(threshold);
  const error = cents === null ? 'Enter an amount in dollars and cents, like 25 or 9.99.' : null;
  const current = alerts.data?.lowBalanceThreshold;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (cents === null) return;
    save.mutate(decimalOfCents(cents), { onSuccess: () => setTouched(false) });
  };
  return (
    <section className="card" aria-labelledby="low-balance">
      <div className="card-head">
        <h2 id="low-balance">Low-balance alert</h2>
      </div>
      <p className="muted small">
        When a charge or any other change takes your balance below this amount, you get one notification (and a{' '}
        <code>balance.low</code> event). The next one comes only after the balance has been back above it.
      </p>
      {alerts.isPending ? <Loading label="Loading the alert…" /> : null}
      {alerts.isError ? <ErrorState error={alerts.error} retry={() => void alerts.refetch()} /> : null}
      {alerts.data ? (
        <p>
          {current === null || current === undefined ? (
            <>The alert is off.</>
          ) : (
            <>
              Alert below{' '}
              <strong>
                <Amount value={current} />
              </strong>
              .
            </>
          )}
        </p>
      ) : null}
      <ActionError action={save} title="The alert could not be saved" />
      <form className="inline-form" onSubmit={submit} noValidate>
        <Field label="Alert below (USD)" error={touched ? error : null}>
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              autoComplete="off"
              placeholder={current ?? '10.00'}
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
            />
          )}
        </Field>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            Save alert
          </button>
          <button
            type="button"
            className="btn"
            disabled={save.isPending || current === null}
            onClick={() => save.mutate(null)}
          >
            Turn off
          </button>
        </div>
      </form>
    </section>
  );
}

function WebhooksCard() {
  const { data, isPending, isError, error, refetch } = useWebhookEndpoints();
  const remove = useRemoveEndpoint();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="webhooks">
      <div className="card-head">
        <h2 id="webhooks">Webhook endpoints</h2>
      </div>
      <p className="muted small">
        Your systems can receive your account's events as signed HTTPS requests. Each request carries an{' '}
        <code>IO-Credits-Signature</code> header to check with the endpoint's secret; a request that is not answered
        with a 2xx is retried for 24 hours.
      </p>
      <RegisterEndpoint />
      {isPending ? <Loading label="Loading endpoints…" /> : null}
      {isError ? <ErrorState error={error} retry={() => void refetch()} /> : null}
      <ActionError action={remove} title="The endpoint could not be removed" />
      {data && data.items.length === 0 ? <Empty>No endpoints yet.</Empty> : null}
      {data?.items.map((endpoint) => (
        <EndpointRow
          key={endpoint.endpointId}
          endpoint={endpoint}
          open={open === endpoint.endpointId}
          onToggle={() => setOpen(open === endpoint.endpointId ? null : endpoint.endpointId)}
          onRemove={() => remove.mutate(endpoint.endpointId)}
          removing={remove.isPending && remove.variables === endpoint.endpointId}
        />
      ))}
    </section>
  );
}

function RegisterEndpoint() {
  const register = useRegisterEndpoint();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<EventType[]>(['charge.paid', 'charge.failed', 'balance.low']);
  const [touched, setTouched] = useState(false);
  const urlError = /^https?:\/\/\S+$/.test(url) ? null : 'Enter the https URL that receives the events.';
  const eventsError = events.length === 0 ? 'Choose at least one event.' : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (urlError || eventsError) return;
    register.mutate({ url, events }, { onSuccess: () => (setUrl(''), setTouched(false)) });
  };
  const toggle = (type: EventType) =>
    setEvents((chosen) => (chosen.includes(type) ? chosen.filter((t) => t !== type) : [...chosen, type]));
  return (
    <form className="stack-form" onSubmit={submit} noValidate aria-label="Add an endpoint">
      <Field label="Endpoint URL" error={touched ? urlError : null}>
        {(props) => (
          <input
            {...props}
            type="url"
            autoComplete="off"
            placeholder="https://hooks.example.com/io-credits"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        )}
      </Field>
      <fieldset className="event-types">
        <legend>Events</legend>
        {EVENT_TYPES.map((type) => (
          <label key={type} className="check">
            <input type="checkbox" checked={events.includes(type)} onChange={() => toggle(type)} />
            <code>{type}</code> <span className="muted small">{EVENT_DESCRIPTIONS[type]}</span>
          </label>
        ))}
        {touched && eventsError ? <span className="error">{eventsError}</span> : null}
      </fieldset>
      <ActionError action={register} title="The endpoint was not added" />
      {register.data ? (
        <Alert tone="good" title="Endpoint added: copy its signing secret now">
          It is shown only this once. <code className="secret">{register.data.secret}</code>
        </Alert>
      ) : null}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={register.isPending}>
          Add endpoint
        </button>
      </div>
    </form>
  );
}

function EndpointRow({
  endpoint,
  open,
  onToggle,
  onRemove,
  removing,
}: {
  endpoint: WebhookEndpoint;
  open: boolean;
  onToggle: () => void;
  onRemove: () => void;
  removing: boolean;
}) {
  return (
    <article className="endpoint" aria-label={`Endpoint ${endpoint.url}`}>
      <div className="endpoint-head">
        <div>
          <div className="mono">{endpoint.url}</div>
          <div className="small muted">
            {endpoint.events.join(', ')} · added <DateTime iso={endpoint.createdAt} />
          </div>
        </div>
        <div className="actions">
          <button type="button" className="btn btn-small" aria-expanded={open} onClick={onToggle}>
            {open ? 'Hide deliveries' : 'Deliveries'}
          </button>
          <button type="button" className="btn btn-small btn-danger" onClick={onRemove} disabled={removing}>
            Remove<span className="visually-hidden"> {endpoint.url}</span>
          </button>
        </div>
      </div>
      {open ? <Deliveries endpointId={endpoint.endpointId} /> : null}
    </article>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const deliveries = useDeliveries(endpointId);
  const retry = useRetryDelivery();
  if (deliveries.isPending) return <Loading label="Loading deliveries…" />;
  if (deliveries.isError) return <ErrorState error={deliveries.error} retry={() => void deliveries.refetch()} />;
  if (deliveries.data.items.length === 0) return <Empty>Nothing sent yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="stack">
        <caption className="visually-hidden">Deliveries to this endpoint, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">When</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.data.items.map((d) => (
            <DeliveryRow
              key={d.deliveryId}
              delivery={d}
              onRetry={() => retry.mutate({ endpointId, deliveryId: d.deliveryId })}
              retrying={retry.isPending && retry.variables?.deliveryId === d.deliveryId}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DeliveryRow({
  delivery: d,
  onRetry,
  retrying,
}: {
  delivery: WebhookDelivery;
  onRetry: () => void;
  retrying: boolean;
}) {
  const last = d.attempts.at(-1);
  return (
    <tr>
      <td data-label="Event">
        <code>{d.eventType}</code>
      </td>
      <td data-label="When">
        <DateTime iso={d.createdAt} />
      </td>
      <td data-label="Status">
        <StatusBadge status={d.status} />
        {d.nextAttemptAt ? (
          <span className="small muted">
            {' '}
            next try <DateTime iso={d.nextAttemptAt} />
          </span>
        ) : null}
      </td>
      <td data-label="Attempts">
        {d.attempts.length}
        {last ? (
          <span className="small muted"> (last: {last.status !== undefined ? `HTTP ${last.status}` : last.error})</span>
        ) : null}
      </td>
      <td data-label="Actions">
        <button type="button" className="btn btn-small" onClick={onRetry} disabled={retrying}>
          Send again<span className="visually-hidden"> {d.eventType}</span>
        </button>
      </td>
    </tr>
  );
}
