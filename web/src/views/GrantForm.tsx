// Finance's promotional grant: an amount for an account, with an optional expiry and conditions,
// and optionally for some products only (scoped credit pays only charges of those products; none
// checked: any product). One Idempotency-Key per grant meant (useActionKey).

import { type FormEvent, useState } from 'react';
import { useActionKey } from '../api/action-key';
import { useGrant } from '../api/queries';
import { ActionError, Alert, AmountField, TextField } from '../components/ui';
import { centsOfInput, decimalOfCents, formatUsd } from '../money';
import { PRODUCT_NAMES, PRODUCTS, type Product, scopeName } from '../products';

interface GrantInput {
  accountId: string;
  amount: string;
  expiresOn: string;
  description: string;
  conditions: string;
  products: Product[];
}

type TextInput = Exclude<keyof GrantInput, 'products'>;

const NO_GRANT: GrantInput = {
  accountId: '',
  amount: '',
  expiresOn: '',
  description: '',
  conditions: '',
  products: [],
};

/** What the grant form would send, and what in it stops it being sent. */
function grantRequest(form: GrantInput) {
  const cents = centsOfInput(form.amount);
  const errors: Partial<Record<TextInput, string | null>> = {
    accountId: form.accountId.trim() ? null : 'Whose account?',
    amount: cents && cents > 0n ? null : 'Whole cents, like 25 or 25.50.',
    description: form.description.trim() ? null : 'Say what it is for; the account holder sees it.',
  };
  const body = {
    accountId: form.accountId.trim(),
    amount: cents ? decimalOfCents(cents) : form.amount,
    description: form.description.trim(),
    ...(form.expiresOn ? { expiresAt: `${form.expiresOn}T00:00:00Z` } : {}),
    ...(form.conditions.trim() ? { conditions: form.conditions.trim() } : {}),
    // In catalog order, so the same choice made in another order is the same grant (and key).
    ...(form.products.length > 0 ? { products: PRODUCTS.filter((p) => form.products.includes(p)) } : {}),
  };
  return { errors, body, valid: !Object.values(errors).some(Boolean) };
}

/** `accountId`: grants to that account only (Accounts); otherwise the form asks whose. */
export function GrantForm({ accountId }: { accountId?: string } = {}) {
  const [typed, setForm] = useState(NO_GRANT);
  const form = accountId === undefined ? typed : { ...typed, accountId };
  const [touched, setTouched] = useState(false);
  const { errors, body, valid } = grantRequest(form);
  // One key per grant meant: granted again after a lost answer, the account is credited once.
  const action = useActionKey('grant', body);
  const grant = useGrant(action);
  const field = (name: TextInput) => ({
    value: form[name],
    onChange: (value: string) => setForm({ ...form, [name]: value }),
    error: touched ? errors[name] : null,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (valid) grant.mutate({ ...body, key: action.key });
  };
  const granted = grant.data;
  return (
    <section className="card" aria-labelledby="grant">
      <h2 id="grant">Grant promotional credit</h2>
      <form className="stack-form" onSubmit={submit} noValidate>
        {accountId === undefined ? (
          <TextField label="Account (IO ID)" className="mono" {...field('accountId')} />
        ) : null}
        <div className="form-row">
          <AmountField label="Amount (USD)" {...field('amount')} />
          <TextField label="Expires on (UTC)" hint="Leave empty for no expiry" type="date" {...field('expiresOn')} />
        </div>
        <TextField label="Description" {...field('description')} />
        <TextField label="Conditions" hint="Optional, shown with the credit" {...field('conditions')} />
        <ProductChoice chosen={form.products} onChange={(products) => setForm({ ...form, products })} />
        <ActionError action={grant} title="Not granted" />
        {granted ? (
          <Alert tone="good" title="Granted">
            {formatUsd(granted.amount)} promotional credit for {grant.variables.accountId}
            {granted.products?.length ? `, ${scopeName(granted.products)}` : ''}.
          </Alert>
        ) : null}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={grant.isPending}>
            Grant credit
          </button>
        </div>
      </form>
    </section>
  );
}

/** The products the credit may pay for: a checkbox each; none checked, it pays for any product. */
function ProductChoice({ chosen, onChange }: { chosen: Product[]; onChange: (products: Product[]) => void }) {
  const toggle = (product: Product, on: boolean) =>
    onChange(on ? [...chosen, product] : chosen.filter((p) => p !== product));
  return (
    <fieldset className="checks" aria-describedby="grant-products-hint">
      <legend>Pays for</legend>
      <span className="hint" id="grant-products-hint">
        Leave all unchecked for credit that pays for any product.
      </span>
      <div className="checks-list">
        {PRODUCTS.map((product) => (
          <label key={product} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(product)}
              onChange={(e) => toggle(product, e.target.checked)}
            />{' '}
            {PRODUCT_NAMES[product]}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
