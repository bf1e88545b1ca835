// GET /openapi.json: the OpenAPI 3.1 document, generated from the route table and its schemas.

import * as z from 'zod';
import { groupHandler, implement } from './http/handler.js';
import { ROUTE_DOCS } from './http/route-docs.js';
import { ROUTE_RESPONSES } from './http/route-responses.js';
import { api, GROUPS, type Route, type RouteShape, routes } from './http/routes.js';
import { jsonNumber } from './http/schemas.js';

let document: object | undefined;

const wordsOf = new Map<RouteShape, { summary: string; description: string }>(
  (Object.keys(api) as (keyof typeof api)[]).map((name) => [api[name], ROUTE_DOCS[name]]),
);
const answersOf = new Map<RouteShape, NonNullable<RouteShape['responses']>>(
  (Object.keys(api) as (keyof typeof api)[]).map((name) => [api[name], ROUTE_RESPONSES[name]]),
);

/** A route's responses: from route-responses.ts, or (local-only routes) its own. */
function responsesOf(route: RouteShape): NonNullable<RouteShape['responses']> {
  const responses = answersOf.get(route) ?? route.responses;
  if (!responses) throw new Error(`${route.method} ${route.path} has no responses`);
  return responses;
}

/** A route's summary and description: from route-docs.ts, or (local-only routes) its own. */
function docsOf(route: RouteShape): { summary: string; description: string } {
  const words = wordsOf.get(route) ?? { summary: route.summary, description: route.description };
  if (!words.summary || !words.description)
    throw new Error(`${route.method} ${route.path} has no summary or description`);
  return { summary: words.summary, description: words.description };
}

export const handler = groupHandler([
  implement(api.openapi, () => {
    document ??= openApiDocument(routes);
    return { status: 200, body: document };
  }),
]);

const problem = {
  'application/problem+json': {
    schema: {
      type: 'object',
      required: ['type', 'title', 'status', 'detail', 'code'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        code: {
          type: 'string',
          enum: [
            'invalid_request',
            'unauthorized',
            'forbidden',
            'not_found',
            'insufficient_credits',
            'conflict',
            'busy',
            'idempotency_key_reused',
            'provider_unavailable',
            'method_not_allowed',
            'internal',
          ],
        },
      },
    },
  },
};

/** zod to JSON Schema, with a body's JsonNumber shown as the `number` the client sends. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): object {
  return z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema !== jsonNumber) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[key];
      ctx.jsonSchema.type = 'number';
    },
  });
}

export function openApiDocument(list: Route[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of list) {
    const parameters: object[] = [];
    if (route.params) {
      const schema = jsonSchema(route.params, 'input') as { properties?: Record<string, object> };
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        parameters.push({ name, in: 'path', required: true, schema: property });
    }
    if (route.query) {
      const schema = jsonSchema(route.query, 'input') as { properties?: Record<string, object>; required?: string[] };
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        // A query string holds text only: an amount there is a decimal string.
        const text =
          (property as { type?: unknown }).type instanceof Array ? { ...property, type: 'string' } : property;
        parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: text });
      }
    }
    if (route.idempotencyKey) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: route.idempotencyKey === 'required',
        schema: { type: 'string', maxLength: 255 },
        description: 'The same key and body replay the first response; another body is a 409.',
      });
    }
    const responses: Record<string, object> = {};
    for (const [status, response] of Object.entries(responsesOf(route))) {
      const ok = Number(status) < 300;
      responses[status] = {
        description: response.description,
        content: response.schema
          ? { 'application/json': { schema: jsonSchema(response.schema, 'output') } }
          : ok
            ? { 'application/json': {} }
            : problem,
      };
    }
    paths[route.path] ??= {};
    const words = docsOf(route);
    paths[route.path]![route.method.toLowerCase()] = {
      summary: words.summary,
      description: words.description,
      tags: [route.group],
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body && !route.body.safeParse(undefined).success
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      ...(route.rawBody
        ? {
            requestBody: {
              required: true,
              description: "The provider's event, verified by its signature over the exact bytes",
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'IO Credits',
      version: '1.0.0',
      description: 'The prepaid credit wallet of io.net Cloud. 1 credit = 1 USD; amounts are decimal strings.',
      contact: { name: 'IO Credits', url: 'https://io.net/contact' },
      license: { name: 'Proprietary', identifier: 'LicenseRef-io.net-Proprietary' },
    },
    tags: Object.entries(GROUPS).map(([name, description]) => ({ name, description })),
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
