// Expected failures of the ledger, as typed domain errors. Each carries the stable `code` and
// HTTP status of SPEC §5, so the API maps them in one place and never leaks an SDK error.

export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'insufficient_credits'
  | 'conflict'
  | 'idempotency_key_reused'
  | 'provider_unavailable';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  abstract readonly title: string;
}

export class InvalidRequest extends DomainError {
  override name = 'InvalidRequest';
  readonly code = 'invalid_request';
  readonly status = 400;
  readonly title = 'Invalid request';
}

export class Forbidden extends DomainError {
  override name = 'Forbidden';
  readonly code = 'forbidden';
  readonly status = 403;
  readonly title = 'Forbidden';
}

export class NotFound extends DomainError {
  override name = 'NotFound';
  readonly code = 'not_found';
  readonly status = 404;
  readonly title = 'Not found';
}

export class InsufficientCredits extends DomainError {
  override name = 'InsufficientCredits';
  readonly code = 'insufficient_credits';
  readonly status = 402;
  readonly title = 'Insufficient credits';
}

/** A request that is valid but does not fit the current state (not refundable, not pending, ...). */
export class Conflict extends DomainError {
  override name = 'Conflict';
  readonly code = 'conflict';
  readonly status = 409;
  readonly title = 'Conflict';
}

export class IdempotencyKeyReused extends DomainError {
  override name = 'IdempotencyKeyReused';
  readonly code = 'idempotency_key_reused';
  readonly status = 409;
  readonly title = 'Idempotency key reused';
}

/** Optimistic concurrency gave up after its bounded retries; safe for the caller to retry. */
export class ContentionExhausted extends DomainError {
  override name = 'ContentionExhausted';
  readonly code = 'conflict';
  readonly status = 409;
  readonly title = 'Too many concurrent updates';
}

/** The payment provider could not be reached or refused our request; retrying is safe. */
export class ProviderUnavailable extends DomainError {
  override name = 'ProviderUnavailable';
  readonly code = 'provider_unavailable';
  readonly status = 502;
  readonly title = 'Payment provider unavailable';
}
