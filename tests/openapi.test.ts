// The OpenAPI document: a valid OpenAPI 3.1 document that lists every deployed route, with its
// method, its auth and its Idempotency-Key, and none of the local-only routes.

import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { routes } from '../functions/http/routes.js';
import { localRoutes } from '../functions/local/local-routes.js';
import { openApiDocument } from '../functions/openapi.js';

type Operation = {
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean; schema: { type?: unknown } }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};
const document = openApiDocument(routes) as { paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('has every deployed route with its method, and no local-only route', () => {
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const local of localRoutes) expect(document.paths[local.path]?.[local.method.toLowerCase()]).toBeUndefined();
  });

  it('says which routes need no token and which need an Idempotency-Key', () => {
    for (const route of routes) {
      const operation = document.paths[route.path]![route.method.toLowerCase()]!;
      expect(operation.security, route.path).toEqual(route.access === 'public' ? [] : undefined);
      const key = operation.parameters?.find((p) => p.name === 'Idempotency-Key');
      expect(key?.required, `${route.method} ${route.path}`).toBe(
        route.idempotencyKey === undefined ? undefined : route.idempotencyKey === 'required',
      );
    }
    expect(
      document.paths['/credits/charges']!.post!.parameters!.find((p) => p.name === 'Idempotency-Key')!.required,
    ).toBe(true);
  });

  it('documents amounts as decimal strings in queries, and strings or numbers in bodies', () => {
    const amount = document.paths['/credits/check']!.get!.parameters!.find((p) => p.name === 'amount')!;
    expect(amount).toMatchObject({ in: 'query', required: true, schema: { type: 'string' } });
    const body = document.paths['/credits/charges']!.post!.requestBody as {
      content: {
        'application/json': { schema: { properties: { amount: { type: unknown } }; additionalProperties: boolean } };
      };
    };
    expect(body.content['application/json'].schema.properties.amount.type).toEqual(['string', 'number']);
    expect(body.content['application/json'].schema.additionalProperties).toBe(false);
  });
});

describe('docs/api.md', () => {
  const text = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');

  it.each([...routes, ...localRoutes].map((r) => `${r.method} ${r.path}`))(
    'has a section with a curl for %s',
    (key) => {
      const start = text.indexOf(`\n### ${key}\n`);
      expect(start, `no "### ${key}" heading`).toBeGreaterThan(0);
      const section = text.slice(
        start + 1,
        text.indexOf('\n### ', start + 1) === -1 ? undefined : text.indexOf('\n### ', start + 1),
      );
      expect(section).toMatch(/\ncurl -s /);
    },
  );
});
