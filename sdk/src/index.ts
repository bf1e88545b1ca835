// @io-credits/client: the IO Credits API for deployment services (SPEC §13). See sdk/README.md.

export {
  type Balance,
  type Cancelled,
  type Charge,
  type ChargeCreated,
  type ChargeInput,
  type CheckResult,
  type ClientOptions,
  createClient,
  type IoCreditsClient,
  OutcomeTimeoutError,
  type Refund,
  type RefundInput,
  type Transaction,
  type TransactionFilters,
  type WaitOptions,
} from './client.js';
export * from './errors.js';
export type { Digest, Proof, ProofLeaf, ProofStep, ProofVerification } from './proofs.js';
export * as proofs from './proofs.js';
export { DEFAULT_RETRY, type RetryOptions } from './retry.js';
export type { paths } from './schema.js';
export * as webhooks from './webhooks.js';
