// A typed client of the IO Credits API, generated from its OpenAPI document (schema.ts), on
// openapi-fetch. The app uses it, and so can any other system, a deployment service say:
//
//   const credits = createCreditsClient({ baseUrl: 'https://credits.example.net', token: () => serviceToken });
//   const charge = await call(credits.POST('/credits/charges', {
//     params: { header: { 'Idempotency-Key': `deploy-${deploymentId}` } },
//     body: { accountId, deploymentId, amount: '12.50' },
//   }));
//
// `call` returns the answer's data, or throws an ApiError carrying the problem+json the API sent
// (its `detail` says what is wrong) or a NetworkError when the API could not be reached.

import createClient from 'openapi-fetch';
import type { paths } from '../../../sdk/src/schema';

export type CreditsClient = ReturnType<typeof createClient<paths>>;

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
}

/** The API refused the request: `problem.detail` says why, `problem.code` is stable. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  get status(): number {
    return this.problem.status;
  }
}

/** The API could not be reached; retrying is safe. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export interface ClientOptions {
  baseUrl: string;
  /** The bearer token for each request, if any. */
  token: () => string | undefined;
  fetch?: typeof fetch;
}

export function createCreditsClient(options: ClientOptions): CreditsClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  client.use({
    onRequest({ request }) {
      const token = options.token();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

/** The data of a successful answer; an ApiError or NetworkError otherwise. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (error) {
    throw new NetworkError('IO Credits could not be reached. Check your connection and try again.', { cause: error });
  }
  if (!result.response.ok || result.error !== undefined) throw new ApiError(problemOf(result.error, result.response));
  return result.data as T;
}

function problemOf(body: unknown, response: Response): Problem {
  if (body && typeof body === 'object' && typeof (body as Problem).detail === 'string') return body as Problem;
  return {
    title: response.statusText || 'Error',
    status: response.status,
    detail: `The request failed with status ${response.status}.`,
    code: 'unknown',
  };
}
