// Errors as RFC 9457 problem details. This is the one place an error code becomes an HTTP status
// (STATUS); anything that is not an IoCreditsError is a fault, answered 500 without its message
// (it is logged instead, with its cause).

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ContentionExhausted,
  type ErrorCode,
  type FieldError,
  IoCreditsError,
  MethodNotAllowed,
} from '../../core/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode | 'internal';
  instance?: string;
  errors?: FieldError[];
}

/** Each error code's HTTP status and title (SPEC §5). */
export const STATUS: Record<ErrorCode | 'internal', { status: number; title: string }> = {
  invalid_request: { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  insufficient_credits: { status: 402, title: 'Insufficient credits' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_key_reused: { status: 409, title: 'Idempotency key reused' },
  busy: { status: 503, title: 'Busy' },
  provider_unavailable: { status: 502, title: 'Payment provider unavailable' },
  internal: { status: 500, title: 'Internal error' },
};

const FAULT_DETAIL = 'Something went wrong on our side; it was logged. Retrying is safe.';

export function problemFrom(error: unknown, instance?: string): Problem {
  if (!(error instanceof IoCreditsError)) return shape('internal', FAULT_DETAIL, instance);
  const errors = 'errors' in error ? (error.errors as FieldError[] | undefined) : undefined;
  return shape(error.code, error.message, instance, errors);
}

/** A fault is anything that is not an expected refusal; it is logged and answered 500. */
export function isFault(error: unknown): boolean {
  return !(error instanceof IoCreditsError);
}

export function problemResponse(problem: Problem, error?: unknown): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (error instanceof MethodNotAllowed) headers.allow = error.allowed.join(', ');
  if (error instanceof ContentionExhausted) headers['retry-after'] = String(error.retryAfterSeconds);
  return {
    statusCode: problem.status,
    headers,
    body: JSON.stringify(problem),
  };
}

function shape(code: Problem['code'], detail: string, instance?: string, errors?: FieldError[]): Problem {
  return {
    type: `https://docs.io.net/credits/problems/${code}`,
    title: STATUS[code].title,
    status: STATUS[code].status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(errors?.length ? { errors } : {}),
  };
}
