// What a valid billing profile is (SPEC §11): a country that is an ISO 3166-1 alpha-2 code, and a
// tax id whose format and check digits are right for its type, read by `stdnum` (the same rules as
// python-stdnum, kept per country). Each wrong field is named, so the form can point at it.

import { whereAlpha2 } from 'iso-3166-1';
import { euVat, stdnum } from 'stdnum';
import { assert } from './assert.js';
import { type FieldError, InvalidRequest } from './errors.js';
import type { BillingProfile, TaxIdType } from './items/billing-profile.js';

/** The EU's members, as VAT numbers prefix them (Greece is EL). */
const EU_VAT_PREFIXES = new Set(
  'AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);

interface Validator {
  validate(value: string): { isValid: boolean; compact?: string };
}

/** Where each type's rules are in stdnum: its country and its name there. */
const RULES: Record<Exclude<TaxIdType, 'eu_vat'>, [country: string, name: string]> = {
  gb_vat: ['GB', 'vat'],
  us_ein: ['US', 'ein'],
  au_abn: ['AU', 'abn'],
  in_gst: ['IN', 'gstin'],
};

function validatorOf(type: Exclude<TaxIdType, 'eu_vat'>): Validator {
  const [country, name] = RULES[type];
  const validator: Validator | undefined = stdnum[country]?.[name];
  assert(validator !== undefined, `stdnum has no ${country} ${name}`);
  return validator;
}

const EXAMPLES: Record<TaxIdType, string> = {
  eu_vat: 'DE123456789, with its country prefix',
  gb_vat: 'GB123456789',
  us_ein: '12-3456789',
  au_abn: '12 345 678 901',
  in_gst: '27AAPFU0939F1ZV',
};

/** Whether a tax id's value is right for its type (format and check digits). */
export function isValidTaxId(type: TaxIdType, value: string): boolean {
  if (type !== 'eu_vat') return validatorOf(type).validate(value).isValid;
  const compact = value.replace(/[\s.-]/g, '').toUpperCase();
  const prefix = compact.slice(0, 2);
  if (!EU_VAT_PREFIXES.has(prefix)) return false;
  const validators: Validator[] = euVat[prefix === 'EL' ? 'GR' : prefix] ?? [];
  return validators.some((validator) => validator.validate(compact).isValid);
}

export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && whereAlpha2(code) !== undefined;
}

/** The profile as given, or InvalidRequest naming every field that is wrong. */
export function validBillingProfile(profile: BillingProfile): BillingProfile {
  const errors: FieldError[] = [];
  if (!isCountryCode(profile.address.country))
    errors.push({ path: 'address.country', message: 'must be an ISO 3166-1 alpha-2 code, e.g. DE or US' });
  const { taxId } = profile;
  if (taxId && !isValidTaxId(taxId.type, taxId.value))
    errors.push({ path: 'taxId.value', message: `is not a valid ${taxId.type} (e.g. ${EXAMPLES[taxId.type]})` });
  if (errors.length > 0) throw new InvalidRequest(errors.map((e) => `${e.path} ${e.message}`).join('; '), errors);
  return profile;
}
