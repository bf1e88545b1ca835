// The user's proof (SPEC §12): the account's leaf in the latest published digest and its path to
// the root, checked here in the browser with Web Crypto by the client library's own check
// (sdk/src/proofs.ts, loaded when the card needs it), never taken on the server's word: a proof
// whose figures or path were changed on the way shows which check it failed.
//
//   GET /credits/proof (latest closed day) ─► shape ─► digest hash ─► leaf ─► path to the root
//        └─ 404: no close holds the account yet          ─► sum = total ─► the leaf is this account's
//                                                                         ─► the leaf is the head of
//                                                                            the user's own log at the cut-off

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ProofCheck, ProofVerification } from '../../../sdk/src/proofs.js';
import type { paths } from '../../../sdk/src/schema';
import { ApiError, type CreditsClient, call } from '../api/client';
import { useAuth } from '../auth';
import { Alert, ErrorState, Loading } from '../components/ui';
import { decimalOfMicros, formatUsd, microsOf } from '../money';

type Proof = paths['/credits/proof']['get']['responses'][200]['content']['application/json'];
type Check = ProofCheck | 'account' | 'history';

/** Each check in the order it is made, as the card names it. */
const CHECKS: Record<Check, string> = {
  shape: 'The proof is well formed',
  digest: 'The digest hashes to its published hash',
  leaf: 'Your leaf’s credit matches its balance',
  root: 'The path from your leaf leads to the digest’s root',
  total: 'The credit along the path adds up to the published total',
  account: 'The leaf is your account’s',
  history: 'The leaf is your transactions’ last entry before the cut-off, with its balance',
};

type Outcome =
  | { valid: true; balanceMicros: bigint; totalCreditMicros: bigint }
  | { valid: false; check: Check; reason: string };

export function LedgerProof() {
  const { client, session } = useAuth();
  const proof = useQuery({
    queryKey: ['proof'],
    queryFn: () => call(client.GET('/credits/proof')),
    retry: (count, error) => !(error instanceof ApiError && error.status === 404) && count < 2,
  });
  const check = useQuery({
    queryKey: ['proof-check', proof.data, session?.sub],
    enabled: proof.data !== undefined,
    queryFn: () => checkProof(proof.data!, session?.sub, () => lastEntryBefore(client, proof.data!.digest.cutoff)),
  });
  const notYet = proof.error instanceof ApiError && proof.error.status === 404;
  return (
    <section className="card" aria-labelledby="ledger-proof">
      <div className="card-head">
        <h2 id="ledger-proof">Proof of your balance</h2>
        <span className="small muted">Checked in your browser</span>
      </div>
      {proof.isPending ? <Loading label="Fetching the proof of the latest daily close…" /> : null}
      {notYet ? (
        <div className="state" data-testid="proof-none">
          <strong>No daily close includes your account yet.</strong> Each UTC day is closed at 00:30 UTC the next day;
          your balance is in the first digest after your first transaction.
        </div>
      ) : null}
      {proof.isError && !notYet ? <ErrorState error={proof.error} retry={() => void proof.refetch()} /> : null}
      {proof.data && check.isPending ? <Loading label="Verifying the proof in your browser…" /> : null}
      {proof.data && check.data ? <Verdict proof={proof.data} outcome={check.data} /> : null}
    </section>
  );
}

type Entry = { seq?: number; hash?: string; balanceAfter: string };

/**
 * The client library's check, then that the leaf names the signed-in account and is the head of
 * the account's own transactions at the cut-off: a server can not put a smaller balance, or
 * another history, in the published tree than the one it shows its user.
 */
async function checkProof(
  proof: Proof,
  accountId: string | undefined,
  headAtCutoff: () => Promise<Entry | undefined>,
): Promise<Outcome> {
  const { verify } = await import('../../../sdk/src/proofs.js');
  const result: ProofVerification = await verify(proof);
  if (!result.valid) return result;
  if (result.accountId !== accountId)
    return { valid: false, check: 'account', reason: `the leaf is account ${result.accountId}’s` };
  const head = await headAtCutoff();
  const { leaf } = proof;
  if (!head || head.seq !== leaf.headSeq || head.hash !== leaf.headHash)
    return { valid: false, check: 'history', reason: 'the leaf is not the last entry of your transactions' };
  if (microsOf(head.balanceAfter) !== result.balanceMicros)
    return { valid: false, check: 'history', reason: 'the leaf’s balance is not the one your transactions show' };
  return { valid: true, balanceMicros: result.balanceMicros, totalCreditMicros: result.totalCreditMicros };
}

/** The account's newest entry before the digest's cut-off, from its own transactions. */
async function lastEntryBefore(client: CreditsClient, cutoff: string): Promise<Entry | undefined> {
  const to = new Date(Date.parse(cutoff) - 1).toISOString();
  const page = await call(client.GET('/credits/transactions', { params: { query: { to, limit: '1' } } }));
  return page.items[0];
}

function Verdict({ proof, outcome }: { proof: Proof; outcome: Outcome }) {
  const day = proof.digest.day;
  return (
    <>
      {outcome.valid ? (
        <Alert tone="good" title="Verified">
          <span data-testid="proof-statement">
            Your balance of {usd(outcome.balanceMicros)} is included in the published total of{' '}
            {usd(outcome.totalCreditMicros)}, digest of <span className="num">{day}</span>.
          </span>
        </Alert>
      ) : (
        <Alert tone="error" title="Verification failed">
          <span data-testid="proof-failure">
            {capitalised(outcome.reason)}: this proof for <span className="num">{day}</span> proves nothing about your
            balance.
          </span>
        </Alert>
      )}
      <DigestHash hash={proof.digestHash} />
      <ol className="proof-checks" aria-label="Checks">
        {(Object.keys(CHECKS) as Check[]).map((check, index) => {
          const state = stateOf(check, index, outcome);
          return (
            <li key={check} className={`proof-check proof-${state.replace(' ', '-')}`}>
              <span aria-hidden="true">{state === 'passed' ? '✓' : state === 'failed' ? '✗' : '–'}</span>
              <span>
                {CHECKS[check]}
                <span className="visually-hidden">: {state}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </>
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Micro-credits in USD, to the cent, and to the micro-credit when there is one below the cent. */
function usd(micros: bigint): string {
  return formatUsd(decimalOfMicros(micros).replace(/(\.\d{2}\d*?)0+$/, '$1'));
}

function stateOf(check: Check, index: number, outcome: Outcome): 'passed' | 'failed' | 'not checked' {
  if (outcome.valid) return 'passed';
  const failedAt = Object.keys(CHECKS).indexOf(outcome.check);
  return index < failedAt ? 'passed' : check === outcome.check ? 'failed' : 'not checked';
}

/** The digest's hash, shortened; in full on hover and when copied. */
function DigestHash({ hash }: { hash: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () =>
    navigator.clipboard.writeText(hash).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <p className="proof-hash small">
      <span className="muted">Digest hash</span>
      <span className="proof-hash-value">
        <code className="mono" title={hash} data-testid="digest-hash">
          {hash.length > 20 ? `${hash.slice(0, 10)}…${hash.slice(-8)}` : hash}
        </code>
        <button type="button" className="btn btn-small" onClick={() => void copy()} aria-label="Copy the digest hash">
          {copied ? 'Copied' : 'Copy'}
        </button>
      </span>
    </p>
  );
}
