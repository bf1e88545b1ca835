// Checkout (/checkout?amount=&deploymentId=, optionally &product=&projectId=): paying for a
// deployment with IO Credits. It shows the order (the product by its name) and the balance, and what
// that product may use when scoped credit makes it differ; Pay & Deploy is enabled exactly when
// /credits/check, asked for that product, says the charge will be paid (noting any negative
// allowance it uses). When the charge waits for credit
// (pending_payment), it counts down to the grace deadline with Buy IO Credits at hand, and shows
// the outcome when the charge is paid or fails.

import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { DEPLOYMENT_ID, PROJECT_ID } from '../../../core/ids.js';
import { useActionKey } from '../api/action-key';
import {
  type ChargeCreated,
  type Check,
  type DeploymentOrder,
  useBalance,
  useCharge,
  useCheck,
  useLimits,
  usePayAndDeploy,
} from '../api/queries';
import { ActionError, Alert, Amount, ErrorState, Loading } from '../components/ui';
import { centsUp, decimalOfCents, formatUsd, microsOf } from '../money';
import { isProduct, PRODUCT_NAMES } from '../products';
import { BuyDialog } from './BuyDialog';

const AMOUNT = /^\d{1,10}(\.\d{1,6})?$/;

/** The order a checkout link describes, or null when it lacks the amount or deployment or names a bad one. */
function orderOf(params: URLSearchParams): DeploymentOrder | null {
  const amount = params.get('amount') ?? '';
  const deploymentId = params.get('deploymentId') ?? '';
  const product = params.get('product');
  const projectId = params.get('projectId');
  if (!AMOUNT.test(amount) || microsOf(amount) <= 0n || !DEPLOYMENT_ID.test(deploymentId)) return null;
  if (product !== null && !isProduct(product)) return null;
  if (projectId !== null && !PROJECT_ID.test(projectId)) return null;
  return { amount, deploymentId, ...(isProduct(product) ? { product } : {}), ...(projectId ? { projectId } : {}) };
}

export function Checkout() {
  const [params] = useSearchParams();
  const order = orderOf(params);
  return (
    <main id="main" className="checkout">
      <div className="page-head">
        <h1>Checkout</h1>
      </div>
      {order ? (
        <CheckoutBody order={order} />
      ) : (
        <Alert tone="error" title="This checkout link is incomplete">
          It needs the amount to pay and the deployment it is for, like
          /checkout?amount=12.50&amp;deploymentId=gpu-cluster-7, and may name the product (ray_cluster, vm, kubernetes,
          baremetal, inference or other) and the project.
        </Alert>
      )}
    </main>
  );
}

function CheckoutBody({ order }: { order: DeploymentOrder }) {
  const { amount, deploymentId, product, projectId } = order;
  const balance = useBalance();
  const check = useCheck(amount, product);
  // The key of Pay & Deploy is counted per deployment (checkout-<deploymentId>-<n>-…), the same in
  // every tab and after a reload: a second click, a reload or the link opened twice pays once. A
  // paid charge is final; paying this checkout again replays it. A charge that ended unpaid (failed
  // at its grace deadline, or cancelled) moved no money and is over: the next Pay & Deploy is a new
  // attempt under the next number, where the same key would replay that failure for the 7 days the
  // API keeps a key. A tab that did not see the end (another tab, a new session) replays the ended
  // charge once, sees it ended, and its next click is the new attempt.
  // The product and project are in the key's values (a link without them keeps the key it always had).
  const action = useActionKey(`checkout-${deploymentId}`, { amount, product, projectId }, { sameInEveryTab: true });
  const pay = usePayAndDeploy();
  const [buying, setBuying] = useState(false);
  const payNow = () => pay.mutate({ ...order, key: action.key });
  const result = pay.data;
  const decided = check.data;
  const smallest = useLimits().data?.purchase.min;
  // What the deployment is short, rounded up to a purchase (whole cents, at least the smallest purchase).
  const suggested =
    decided && smallest ? decimalOfCents(maxOf(centsUp(decided.shortfall), centsUp(smallest))) : undefined;

  return (
    <>
      <Order order={order} />
      <section className="card" aria-labelledby="pay-with">
        <h2 id="pay-with">Payment method</h2>
        <div className="choice" aria-current="true">
          <span aria-hidden="true">●</span>
          <div>
            <h3>IO Credits</h3>
            <p className="small muted">1 IO Credit = 1 USD</p>
          </div>
        </div>
        {balance.isError ? <ErrorState error={balance.error} retry={() => void balance.refetch()} /> : null}
        {check.isError ? <ErrorState error={check.error} retry={() => void check.refetch()} /> : null}
        {!decided && !check.isError ? <Loading label="Checking your balance…" /> : null}
        {decided ? (
          <Decision amount={amount} decided={decided} settled={result !== undefined} onBuy={() => setBuying(true)} />
        ) : null}
        {decided && !result ? (
          <div className="actions">
            <button
              type="button"
              className="btn btn-primary"
              disabled={!decided.withinAllowance || pay.isPending}
              onClick={payNow}
            >
              {pay.isPending ? 'Paying…' : 'Pay & Deploy'}
            </button>
          </div>
        ) : null}
        <ActionError action={pay} title="The deployment was not paid" />
        {result ? (
          <Outcome
            result={result}
            onBuy={() => setBuying(true)}
            onEnded={() => action.renew(pay.variables?.key ?? '')}
            onPayAgain={pay.isPending ? null : payNow}
          />
        ) : null}
      </section>
      <BuyDialog open={buying} onClose={() => setBuying(false)} suggested={suggested} newTab />
    </>
  );
}

function Order({ order: { amount, deploymentId, product, projectId } }: { order: DeploymentOrder }) {
  return (
    <section className="card" aria-labelledby="order">
      <h2 id="order">Deployment</h2>
      <dl className="facts">
        {product ? (
          <div>
            <dt>Product</dt>
            <dd>{PRODUCT_NAMES[product]}</dd>
          </div>
        ) : null}
        <div>
          <dt>Deployment</dt>
          <dd className="mono">{deploymentId}</dd>
        </div>
        {projectId ? (
          <div>
            <dt>Project</dt>
            <dd className="mono">{projectId}</dd>
          </div>
        ) : null}
        <div>
          <dt>Amount due</dt>
          <dd>
            <Amount value={amount} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** The amount against the balance, before a charge is made: covered, by the allowance, or short. */
function Decision({
  amount,
  decided,
  settled,
  onBuy,
}: {
  amount: string;
  decided: Check;
  settled: boolean;
  onBuy: () => void;
}) {
  // Credit scoped to other products is in the balance but can not pay this one: then say what can.
  const scopedAway =
    decided.product !== undefined &&
    decided.available !== undefined &&
    microsOf(decided.available) !== microsOf(decided.balance);
  const yours = scopedAway ? `Your credit for ${PRODUCT_NAMES[decided.product!]}` : 'Your balance';
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Required</dt>
          <dd>
            <Amount value={amount} />
          </dd>
        </div>
        <div>
          <dt>Your balance</dt>
          <dd data-testid="checkout-balance">
            <Amount value={decided.balance} />
          </dd>
        </div>
        {scopedAway ? (
          <div>
            <dt>Available for {PRODUCT_NAMES[decided.product!]}</dt>
            <dd data-testid="checkout-available">
              <Amount value={decided.available!} />
            </dd>
          </div>
        ) : null}
      </dl>
      {!settled && decided.sufficient ? <p className="small">{yours} covers this deployment.</p> : null}
      {!settled && !decided.sufficient && decided.withinAllowance ? (
        <Alert tone="info" title="Uses your negative allowance">
          {yours} is {formatUsd(decided.shortfall)} short; Pay &amp; Deploy uses that much of your negative allowance,
          which credits you buy later pay back.
        </Alert>
      ) : null}
      {!settled && !decided.withinAllowance ? (
        <Alert tone="warn" title="Not enough IO Credits">
          You need {formatUsd(decided.shortfall)} more.{' '}
          <button type="button" className="btn btn-small" onClick={onBuy}>
            Buy IO Credits
          </button>
        </Alert>
      ) : null}
    </>
  );
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * What happened to the charge: paid at once, waiting for credit until its grace deadline, or ended
 * unpaid, when `onEnded` lets the next Pay & Deploy be a new attempt.
 */
function Outcome({
  result,
  onBuy,
  onEnded,
  onPayAgain,
}: {
  result: ChargeCreated;
  onBuy: () => void;
  onEnded: () => void;
  onPayAgain: (() => void) | null;
}) {
  const waiting = result.status === 'pending_payment' ? result : null;
  const charge = useCharge(waiting ? result.chargeId : null);
  // The window is the server's (deadline minus creation), counted from when this page learnt of
  // the charge, so a browser clock that is off by minutes still counts down the right time.
  const [answeredAt] = useState(() => Date.now());
  const graceMs = charge.data?.graceExpiresAt
    ? Date.parse(charge.data.graceExpiresAt) - Date.parse(charge.data.createdAt)
    : null;
  const status = waiting ? (charge.data?.status ?? 'pending_payment') : 'paid';
  const ended = status === 'failed' || status === 'cancelled';
  useEffect(() => {
    if (ended) onEnded();
  }, [ended, onEnded]);
  if (status === 'paid') return <Paid result={result} />;
  if (ended) return <Ended status={status} onPayAgain={onPayAgain} />;
  return (
    <Alert tone="warn" title="Waiting for payment">
      <p>
        Your balance does not cover {formatUsd(result.amount)}
        {waiting ? `: ${formatUsd(waiting.shortfall)} short` : ''}. Top up before the time runs out and the deployment
        is paid automatically.
      </p>
      {waiting && graceMs !== null ? <Countdown deadline={answeredAt + graceMs} /> : null}
      <div>
        <button type="button" className="btn btn-primary" onClick={onBuy}>
          Buy IO Credits
        </button>
      </div>
    </Alert>
  );
}

function Paid({ result }: { result: ChargeCreated }) {
  const usedAllowance = result.status === 'paid' && microsOf(result.usedAllowance) > 0n ? result.usedAllowance : null;
  return (
    <Alert tone="good" title="Paid: your deployment is starting">
      {formatUsd(result.amount)} paid with IO Credits
      {usedAllowance ? `, ${formatUsd(usedAllowance)} of it from your negative allowance` : ''}.{' '}
      {result.status === 'paid' ? `Balance now ${formatUsd(result.balance)}.` : 'The credit you added covered it.'}
    </Alert>
  );
}

function Ended({ status, onPayAgain }: { status: 'failed' | 'cancelled'; onPayAgain: (() => void) | null }) {
  return (
    <Alert tone="error" title={status === 'failed' ? 'The deployment failed' : 'The deployment was cancelled'}>
      <div className="stack-form">
        <p>
          {status === 'failed'
            ? 'The balance was not topped up before the grace period ended, so nothing was charged.'
            : 'Nothing was charged.'}
        </p>
        <div>
          <button
            type="button"
            className="btn btn-primary"
            disabled={onPayAgain === null}
            onClick={onPayAgain ?? undefined}
          >
            Pay &amp; Deploy again
          </button>
        </div>
      </div>
    </Alert>
  );
}

function Countdown({ deadline }: { deadline: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((deadline - now) / 1_000));
  const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  return (
    <p>
      <span
        className="countdown num"
        role="timer"
        aria-label={`${Math.floor(left / 60)} minutes ${left % 60} seconds left`}
      >
        {text}
      </span>{' '}
      <span className="small">{left > 0 ? 'left to top up' : 'time is up; waiting for the result…'}</span>
    </p>
  );
}
