// The served OpenAPI document passes the two linters client generators and docs sites use:
// Spectral's `spectral:oas` recommended rules and Redocly's `recommended` config, with no warning.

import { createConfig, lintFromString } from '@redocly/openapi-core';
import spectralCore, { type RulesetDefinition } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { describe, expect, it } from 'vitest';
import { routes } from '../functions/http/routes.js';
import { openApiDocument } from '../functions/openapi.js';

const { Spectral, Document } = spectralCore;
const served = JSON.stringify(openApiDocument(routes));

async function spectralFindings(source: string): Promise<string[]> {
  const spectral = new Spectral();
  // spectral-rulesets' own typing of `oas` predates spectral-core's RulesetDefinition; it is one.
  spectral.setRuleset({ extends: [[oas as RulesetDefinition, 'recommended']] });
  const results = await spectral.run(new Document(source, Json));
  return results.map((r) => `${String(r.code)} at ${r.path.join('.')}: ${r.message}`);
}

describe('the OpenAPI document', () => {
  it("passes Spectral's spectral:oas rules with no finding", async () => {
    expect(await spectralFindings(served)).toEqual([]);
  });

  it('is held to those rules: a document without a contact or an operation description is flagged', async () => {
    const worse = JSON.parse(served) as { info: { contact?: unknown }; paths: Record<string, Record<string, object>> };
    delete worse.info.contact;
    delete (worse.paths['/credits/balance']?.get as { description?: string }).description;
    const findings = await spectralFindings(JSON.stringify(worse));
    expect(findings.map((f) => f.split(' ')[0])).toEqual(['info-contact', 'operation-description']);
  });

  it("passes Redocly's recommended rules with no problem", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: served, absoluteRef: 'openapi.json', config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} @ ${p.location[0]?.pointer}`)).toEqual([]);
  });
});
