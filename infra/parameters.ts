// What a deployment is told from outside: the IO ID issuer and audiences the API trusts, the
// app's OpenID Connect client, where Stripe Checkout returns the buyer and whether it makes Stripe
// invoices, the Spherepay product, the seller that receipts and credit notes name.
// SST passes them as props (sst.config.ts, from environment variables); whatever is not passed is
// a CloudFormation parameter of the stack, so `npm run synth`'s template can be deployed as it is.
// An empty checkout URL means the app itself, whose URL is known only when CloudFormation creates
// the distribution, so that choice is a CloudFormation condition.

import { CfnCondition, CfnParameter, type CfnParameterProps, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export interface IoCreditsProps {
  /** The IO ID token issuer and audiences; absent, they are the stack parameters JwtIssuer and JwtAudience. */
  jwtIssuer?: string;
  jwtAudience?: string[];
  /**
   * The Usage & Billing app's public OpenID Connect client id at the issuer; absent, the stack
   * parameter OidcClientId.
   */
  oidcClientId?: string;
  /** Where Stripe Checkout sends the user back. */
  checkoutSuccessUrl?: string;
  checkoutCancelUrl?: string;
  /** Stripe invoices for card purchases (STRIPE_INVOICES); absent, the stack parameter StripeInvoices (false). */
  stripeInvoices?: boolean;
  /** The seller on receipts and credit notes; absent, the stack parameters SellerName, SellerAddress, SellerTaxId. */
  seller?: { name: string; address: string; taxId?: string };
}

export interface DeploymentInputs {
  issuer: string;
  audience: string[];
  /** The audience the app asks its tokens for: the first the API accepts. */
  appAudience: string;
  clientId: string;
  checkoutSuccessUrl: CfnParameter;
  checkoutCancelUrl: CfnParameter;
  spherepayProductId: CfnParameter;
  stripeInvoices: CfnParameter;
  seller: SellerSettings;
}

/** What the payments functions are told about checkouts. */
export interface CheckoutSettings {
  successUrl: string;
  cancelUrl: string;
  spherepayProductId: string;
  /** `true` or `false`: STRIPE_INVOICES. */
  stripeInvoices: string;
}

/** Who issues receipts and credit notes: SELLER_NAME, SELLER_ADDRESS, SELLER_TAX_ID. */
export interface SellerSettings {
  name: string;
  address: string;
  taxId: string;
}

export function deploymentInputs(scope: Construct, props: IoCreditsProps): DeploymentInputs {
  const stack = Stack.of(scope);
  const parameter = (id: string, description: string, more: Omit<CfnParameterProps, 'description'> = {}) =>
    new CfnParameter(stack, id, { type: 'String', description, ...more });
  const issuer =
    props.jwtIssuer ?? parameter('JwtIssuer', 'The issuer (iss) of the IO ID tokens the API accepts').valueAsString;
  const audience =
    props.jwtAudience ??
    parameter('JwtAudience', 'The audiences (aud) the API accepts', { type: 'CommaDelimitedList' }).valueAsList;
  const clientId =
    props.oidcClientId ??
    parameter('OidcClientId', "The Usage & Billing app's public client id at the issuer (authorization code with PKCE)")
      .valueAsString;
  // Empty: Stripe returns the buyer to the app, which follows the purchase ({PURCHASE_ID}).
  const checkoutSuccessUrl = parameter(
    'CheckoutSuccessUrl',
    'Where Stripe Checkout returns the buyer; empty for the app',
    { default: props.checkoutSuccessUrl ?? '' },
  );
  const checkoutCancelUrl = parameter(
    'CheckoutCancelUrl',
    'Where a cancelled Stripe Checkout returns the buyer; empty for the app',
    { default: props.checkoutCancelUrl ?? '' },
  );
  const spherepayProductId = parameter('SpherepayProductId', 'The Spherepay product that USDC prices belong to', {
    default: '',
  });
  const stripeInvoices = parameter('StripeInvoices', 'Whether card Checkout Sessions make a Stripe invoice', {
    default: props.stripeInvoices ? 'true' : 'false',
    allowedValues: ['true', 'false'],
  });
  const appAudience = Array.isArray(audience) && !Token.isUnresolved(audience) ? audience[0]! : Fn.select(0, audience);
  return {
    issuer,
    audience,
    appAudience,
    clientId,
    checkoutSuccessUrl,
    checkoutCancelUrl,
    spherepayProductId,
    stripeInvoices,
    seller: sellerSettings(parameter, props.seller),
  };
}

/** The seller as given, else as stack parameters (empty by default: documents then say it is not set). */
function sellerSettings(
  parameter: (id: string, description: string, more?: Omit<CfnParameterProps, 'description'>) => CfnParameter,
  seller: IoCreditsProps['seller'],
): SellerSettings {
  if (seller) return { name: seller.name, address: seller.address, taxId: seller.taxId ?? '' };
  return {
    name: parameter('SellerName', 'The seller named on receipts', { default: '' }).valueAsString,
    address: parameter('SellerAddress', "The seller's address on receipts, one line", { default: '' }).valueAsString,
    taxId: parameter('SellerTaxId', "The seller's tax id on receipts; empty for none", { default: '' }).valueAsString,
  };
}

/** The checkout settings, once the app's URL is known: an empty return URL becomes the app's. */
export function checkoutSettings(scope: Construct, inputs: DeploymentInputs, appUrl: string): CheckoutSettings {
  const orApp = (param: CfnParameter, id: string) =>
    Fn.conditionIf(
      new CfnCondition(scope, id, { expression: Fn.conditionEquals(param.valueAsString, '') }).logicalId,
      `${appUrl}/?purchase={PURCHASE_ID}`,
      param.valueAsString,
    ).toString();
  return {
    successUrl: orApp(inputs.checkoutSuccessUrl, 'CheckoutSuccessUrlIsEmpty'),
    cancelUrl: orApp(inputs.checkoutCancelUrl, 'CheckoutCancelUrlIsEmpty'),
    spherepayProductId: inputs.spherepayProductId.valueAsString,
    stripeInvoices: inputs.stripeInvoices.valueAsString,
  };
}
