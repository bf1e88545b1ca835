// The billing profile (SPEC §11): who receipts and credit notes are made out to. A receipt copies
// the profile as it is when the purchase is paid, so a change applies to the next receipts only.
// The server checks the country and the tax id (its format and check digits); a field it refuses
// shows the reason beside it.

import { all as allCountries } from 'iso-3166-1';
import { type FormEvent, useState } from 'react';
import { type BillingProfile, useBillingProfile, useSaveBillingProfile } from '../api/billing';
import { ApiError } from '../api/client';
import { ActionError, Alert, ErrorState, Field, Loading, TextField } from '../components/ui';

type TaxIdType = NonNullable<BillingProfile['taxId']>['type'];

const TAX_ID_TYPES: [TaxIdType, string][] = [
  ['eu_vat', 'EU VAT number'],
  ['gb_vat', 'UK VAT number'],
  ['us_ein', 'US EIN'],
  ['au_abn', 'Australian ABN'],
  ['in_gst', 'Indian GSTIN'],
];

/** ISO 3166-1 alpha-2 codes by name, as the server checks them. */
const COUNTRIES = allCountries()
  .map((c) => ({ code: c.alpha2, name: c.country }))
  .sort((a, b) => a.name.localeCompare(b.name));

interface Fields {
  name: string;
  email: string;
  line1: string;
  line2: string;
  city: string;
  postalCode: string;
  region: string;
  country: string;
  taxIdType: TaxIdType | '';
  taxIdValue: string;
}

type FieldName = keyof Fields;

const EMPTY: Fields = {
  name: '',
  email: '',
  line1: '',
  line2: '',
  city: '',
  postalCode: '',
  region: '',
  country: '',
  taxIdType: '',
  taxIdValue: '',
};

function fieldsOf(profile: BillingProfile | null): Fields {
  if (!profile) return EMPTY;
  const { address } = profile;
  return {
    name: profile.name,
    email: profile.email ?? '',
    line1: address.line1,
    line2: address.line2 ?? '',
    city: address.city,
    postalCode: address.postalCode ?? '',
    region: address.region ?? '',
    country: address.country,
    taxIdType: profile.taxId?.type ?? '',
    taxIdValue: profile.taxId?.value ?? '',
  };
}

/** The profile as the API takes it: the optional fields left empty are left out. */
function profileOf(fields: Fields): BillingProfile {
  const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const address = {
    line1: fields.line1.trim(),
    line2: optional(fields.line2),
    city: fields.city.trim(),
    postalCode: optional(fields.postalCode),
    region: optional(fields.region),
    country: fields.country,
  };
  const taxId = fields.taxIdType ? { type: fields.taxIdType, value: fields.taxIdValue.trim() } : undefined;
  return JSON.parse(JSON.stringify({ name: fields.name.trim(), email: optional(fields.email), address, taxId }));
}

/** Where the API's field paths (`body.address.city`, `taxId.value`) are on the form. */
const FIELD_OF_PATH: Record<string, FieldName> = {
  name: 'name',
  email: 'email',
  'address.line1': 'line1',
  'address.line2': 'line2',
  'address.city': 'city',
  'address.postalCode': 'postalCode',
  'address.region': 'region',
  'address.country': 'country',
  'taxId.type': 'taxIdType',
  'taxId.value': 'taxIdValue',
  taxId: 'taxIdValue',
};

function fieldErrors(error: unknown): Partial<Record<FieldName, string>> {
  if (!(error instanceof ApiError) || error.status !== 400) return {};
  const errors: Partial<Record<FieldName, string>> = {};
  for (const { path, message } of error.problem.errors ?? []) {
    const field = FIELD_OF_PATH[path.replace(/^body\./, '')];
    // The server's checks name the field and say what is wrong with it ("is not a valid eu_vat …").
    if (field && !errors[field]) errors[field] = /^(is|must) /.test(message) ? `This ${message}` : message;
  }
  return errors;
}

export function BillingProfileCard() {
  const current = useBillingProfile();
  return (
    <section className="card" aria-labelledby="billing-profile">
      <div className="card-head">
        <h2 id="billing-profile">Billing profile</h2>
      </div>
      <p className="muted small">
        Who your receipts are made out to. A receipt keeps the profile as it was when the purchase was paid: a change
        applies to the next ones.
      </p>
      {current.isPending ? <Loading label="Loading the billing profile…" /> : null}
      {current.isError ? <ErrorState error={current.error} retry={() => void current.refetch()} /> : null}
      {current.isSuccess ? <ProfileForm saved={current.data} /> : null}
    </section>
  );
}

function ProfileForm({ saved }: { saved: BillingProfile | null }) {
  const [fields, setFields] = useState(() => fieldsOf(saved));
  const [done, setDone] = useState(false);
  const save = useSaveBillingProfile();
  const errors = save.isError ? fieldErrors(save.error) : {};
  const unplaced = save.isError && Object.keys(errors).length === 0;
  const set = (change: Partial<Fields>) => {
    setFields({ ...fields, ...change });
    setDone(false);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    save.mutate(profileOf(fields), {
      onSuccess: (profile) => {
        setFields(fieldsOf(profile));
        setDone(true);
      },
    });
  };
  const text = (name: FieldName, label: string, hint?: string) => (
    <TextField
      label={label}
      {...(hint ? { hint } : {})}
      error={errors[name] ?? null}
      value={fields[name]}
      onChange={(value) => set({ [name]: value })}
    />
  );
  return (
    <form onSubmit={submit} noValidate className="profile-form">
      {saved === null && !done ? <p className="small">No billing profile yet: receipts name no buyer.</p> : null}
      <div className="form-grid">
        {text('name', 'Name or company')}
        {text('email', 'Email (optional)')}
        {text('line1', 'Address')}
        {text('line2', 'Address line 2 (optional)')}
        {text('city', 'City')}
        {text('postalCode', 'Postal code (optional)')}
        {text('region', 'State or region (optional)')}
        <Field label="Country" error={errors.country ?? null}>
          {(props) => (
            <select {...props} value={fields.country} onChange={(e) => set({ country: e.target.value })}>
              <option value="">Choose a country</option>
              {COUNTRIES.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tax ID type" error={errors.taxIdType ?? null}>
          {(props) => (
            <select
              {...props}
              value={fields.taxIdType}
              onChange={(e) => set({ taxIdType: e.target.value as TaxIdType | '' })}
            >
              <option value="">No tax ID</option>
              {TAX_ID_TYPES.map(([type, label]) => (
                <option key={type} value={type}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {fields.taxIdType ? text('taxIdValue', 'Tax ID', 'As issued, e.g. DE123456789 for an EU VAT number') : null}
      </div>
      {unplaced ? <ActionError action={save} title="The billing profile could not be saved" /> : null}
      {save.isError && !unplaced ? (
        <Alert tone="error" title="The billing profile was not saved">
          Check the fields marked above.
        </Alert>
      ) : null}
      {done ? (
        <p role="status" className="small positive">
          Saved. Your next receipts are made out to {fields.name}.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save billing profile'}
        </button>
      </div>
    </form>
  );
}
