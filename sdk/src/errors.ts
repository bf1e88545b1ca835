// What a call can fail with: one class per problem `code` the API answers (SPEC §5), each carrying
// the problem's fields, and ConnectionError when no answer came (the retries were spent). Catch a
// class, or switch on `code`:
//
//   try { await credits.charges.create({ … }) }
//   catch (error) { if (error instanceof InsufficientCreditsError) … }

import type { paths } from './schema.js';

/** The problem `code`s of the OpenAPI document (`Record<ProblemCode, …>` below fails to compile when one is added). */
export type ProblemCode =
  paths['/credits/check']['get']['responses'][400]['content']['application/problem+json']['code'];

/** An RFC 9457 problem as the API sends it. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance?: string;
  /** Each field the request got wrong. */
  errors?: { path: string; message: string }[];
}

/** The API answered with a problem. `detail` (the message) says what is wrong; `code` is stable. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ProblemCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly instance: string | undefined;
  readonly errors: { path: string; message: string }[];
  /** The `Retry-After` the answer carried, in seconds, if any. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly problem: Problem,
    retryAfterSeconds?: number,
  ) {
    super(problem.detail);
    this.code = problem.code;
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.errors = problem.errors ?? [];
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class InvalidRequestError extends ApiError {
  override name = 'InvalidRequestError';
}
export class UnauthorizedError extends ApiError {
  override name = 'UnauthorizedError';
}
export class ForbiddenError extends ApiError {
  override name = 'ForbiddenError';
}
export class NotFoundError extends ApiError {
  override name = 'NotFoundError';
}
export class MethodNotAllowedError extends ApiError {
  override name = 'MethodNotAllowedError';
}
export class InsufficientCreditsError extends ApiError {
  override name = 'InsufficientCreditsError';
}
/** Valid, but not in this state (a refund over what is refundable, a cancel of a charge no longer pending). */
export class ConflictError extends ApiError {
  override name = 'ConflictError';
}
/** The Idempotency-Key was used for another request. */
export class IdempotencyKeyReusedError extends ApiError {
  override name = 'IdempotencyKeyReusedError';
}
/** The account was too busy; nothing was applied. Retried by the client before it reaches you. */
export class BusyError extends ApiError {
  override name = 'BusyError';
}
export class ProviderUnavailableError extends ApiError {
  override name = 'ProviderUnavailableError';
}
/** A fault on the API's side; retrying with the same Idempotency-Key is safe. */
export class InternalError extends ApiError {
  override name = 'InternalError';
}

const BY_CODE: Record<ProblemCode, new (problem: Problem, retryAfterSeconds?: number) => ApiError> = {
  invalid_request: InvalidRequestError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  method_not_allowed: MethodNotAllowedError,
  insufficient_credits: InsufficientCreditsError,
  conflict: ConflictError,
  idempotency_key_reused: IdempotencyKeyReusedError,
  busy: BusyError,
  provider_unavailable: ProviderUnavailableError,
  internal: InternalError,
};

/** The error class of each problem code. */
export const ERROR_CLASSES: Readonly<typeof BY_CODE> = BY_CODE;

/** The error for an answer that is not a success; a body that is not a problem is an InternalError. */
export function errorFromAnswer(status: number, body: unknown, retryAfterSeconds?: number): ApiError {
  const problem = body as Partial<Problem> | undefined;
  if (problem && typeof problem.code === 'string' && problem.code in BY_CODE && typeof problem.detail === 'string')
    return new BY_CODE[problem.code](problem as Problem, retryAfterSeconds);
  return new InternalError(
    { title: 'Unexpected answer', status, detail: `the API answered ${status} without a problem`, code: 'internal' },
    retryAfterSeconds,
  );
}

/** No answer came: the connection failed or timed out on every attempt. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** A webhook whose signature, or whose timestamp, does not hold. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}
