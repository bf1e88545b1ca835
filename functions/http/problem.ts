// Errors as RFC 9457 problem details. This is the one place a domain error becomes an HTTP
// status; anything else is a fault, answered 500 without its message (it is logged instead).

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, type ErrorCode } from '../../core/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode | 'internal' | 'method_not_allowed';
  instance?: string;
  errors?: { path: string; message: string }[];
}

/** A request the HTTP layer refuses before the ledger sees it. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: Problem['code'],
    readonly title: string,
    detail: string,
    readonly errors?: Problem['errors'],
  ) {
    super(detail);
  }
}

export const unauthorized = (detail: string) => new HttpProblem(401, 'unauthorized', 'Unauthorized', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden', detail);
export const invalid = (detail: string, errors?: Problem['errors']) =>
  new HttpProblem(400, 'invalid_request', 'Invalid request', detail, errors);
export const notFound = (detail: string) => new HttpProblem(404, 'not_found', 'Not found', detail);

export function problemFrom(error: unknown, instance?: string): Problem {
  if (error instanceof HttpProblem)
    return shape(error.status, error.code, error.title, error.message, instance, error.errors);
  if (error instanceof DomainError) return shape(error.status, error.code, error.title, error.message, instance);
  return shape(
    500,
    'internal',
    'Internal error',
    'Something went wrong on our side; it was logged. Retrying is safe.',
    instance,
  );
}

/** A fault is anything that is not an expected refusal; it is logged and answered 500. */
export function isFault(error: unknown): boolean {
  return !(error instanceof HttpProblem || error instanceof DomainError);
}

export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify(problem),
  };
}

function shape(
  status: number,
  code: Problem['code'],
  title: string,
  detail: string,
  instance?: string,
  errors?: Problem['errors'],
): Problem {
  return {
    type: `https://docs.io.net/credits/problems/${code}`,
    title,
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(errors?.length ? { errors } : {}),
  };
}
