// The one error hierarchy of IO Credits: every expected failure is an IoCreditsError with a
// stable `code` (the `code` of SPEC §5's problem details) and, when it wraps another error, that
// error as its `cause`. Nothing here knows HTTP: functions/http/problem.ts maps each code to a
// status. Anything that is not an IoCreditsError is a fault (a bug or an outage), logged and
// answered 500.

export const ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'insufficient_credits',
  'conflict',
  'idempotency_key_reused',
  'busy',
  'provider_unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One field a request got wrong, for a client to point at. */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class IoCreditsError extends Error {
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The request is malformed: a value out of range, a field missing, a signature that does not verify. */
export class InvalidRequest extends IoCreditsError {
  override name = 'InvalidRequest';
  readonly code = 'invalid_request';

  constructor(
    message: string,
    /** Each field that is wrong, when the request had several. */
    readonly errors?: FieldError[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No caller could be identified (no token, or one that does not verify). */
export class Unauthorized extends IoCreditsError {
  override name = 'Unauthorized';
  readonly code = 'unauthorized';
}

/** The caller is known but may not do this (another's account, a missing scope, never purchased). */
export class Forbidden extends IoCreditsError {
  override name = 'Forbidden';
  readonly code = 'forbidden';
}

export class NotFound extends IoCreditsError {
  override name = 'NotFound';
  readonly code = 'not_found';
}

export class MethodNotAllowed extends IoCreditsError {
  override name = 'MethodNotAllowed';
  readonly code = 'method_not_allowed';

  constructor(
    message: string,
    readonly allowed: string[],
  ) {
    super(message);
  }
}

export class InsufficientCredits extends IoCreditsError {
  override name = 'InsufficientCredits';
  readonly code = 'insufficient_credits';
}

/** A request that is valid but does not fit the current state (not refundable, not pending, ...). */
export class Conflict extends IoCreditsError {
  override name = 'Conflict';
  readonly code = 'conflict';
}

export class IdempotencyKeyReused extends IoCreditsError {
  override name = 'IdempotencyKeyReused';
  readonly code = 'idempotency_key_reused';
}

/**
 * The account was too busy for the operation to be applied within its time limit (other writers
 * kept winning it): nothing was applied, and retrying, with the same Idempotency-Key, is safe.
 */
export class ContentionExhausted extends IoCreditsError {
  override name = 'ContentionExhausted';
  readonly code = 'busy';
  /** When a retry has a fair chance. */
  readonly retryAfterSeconds = 1;
}

/**
 * The payment provider could not be reached or refused our request; retrying is safe. Its message
 * is what a client may read; what the provider said is kept as the cause, for the logs only.
 */
export class ProviderUnavailable extends IoCreditsError {
  override name = 'ProviderUnavailable';
  readonly code = 'provider_unavailable';
}

const BY_CODE: Record<ErrorCode, (message: string) => IoCreditsError> = {
  invalid_request: (message) => new InvalidRequest(message),
  unauthorized: (message) => new Unauthorized(message),
  forbidden: (message) => new Forbidden(message),
  not_found: (message) => new NotFound(message),
  method_not_allowed: (message) => new MethodNotAllowed(message, []),
  insufficient_credits: (message) => new InsufficientCredits(message),
  conflict: (message) => new Conflict(message),
  idempotency_key_reused: (message) => new IdempotencyKeyReused(message),
  busy: (message) => new ContentionExhausted(message),
  provider_unavailable: (message) => new ProviderUnavailable(message),
};

/** The error a stored refusal stands for (an intent refused in another process): every code its own class. */
export function errorOfCode(refusal: { code: ErrorCode; message: string }): IoCreditsError {
  return BY_CODE[refusal.code](refusal.message);
}
