// Reads a JSON request body so that amounts stay exact: every JSON number is handed on as a
// JsonNumber holding its source text ("12.50" stays "12.50", 1e400 stays "1e400" and is refused
// by the money parser), never as a float. Node 22's JSON.parse gives revivers the source text of
// each number. A JsonNumber is not a string, so a number where text is expected is still refused.

import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidRequest } from '../../core/errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

type SourceContext = { source?: string };

/** A number from a request body, as the client wrote it. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

export function parseJsonKeepingNumberText(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: SourceContext) =>
    typeof value === 'number' ? new JsonNumber(context?.source ?? String(value)) : value,
  );
}

/** The parsed body, or undefined when the request has none. */
export function readBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES)
    throw new InvalidRequest(`the body is over ${MAX_BODY_BYTES} bytes`);
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/(.+\+)?json(;|$)/i.test(contentType))
    throw new InvalidRequest('the body must be JSON, sent with Content-Type: application/json');
  try {
    return parseJsonKeepingNumberText(text);
  } catch (error) {
    throw new InvalidRequest('the body is not valid JSON', undefined, { cause: error });
  }
}

/**
 * Middy middleware: puts the parsed body on `event.parsedBody` (see parseJsonKeepingNumberText),
 * except for routes that must see the body exactly as sent (`keepRaw`).
 */
export function jsonBody(
  keepRaw: (event: APIGatewayProxyEventV2) => boolean = () => false,
): MiddlewareObj<APIGatewayProxyEventV2 & { parsedBody?: unknown }> {
  return {
    before: (request) => {
      if (keepRaw(request.event)) return;
      request.event.parsedBody = readBody(request.event);
    },
  };
}
