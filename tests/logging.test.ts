// On Lambda every function logs through Powertools' Logger: one JSON line per event, with the
// service, the Lambda request id and cold start, and the keys the request appended (its route,
// the caller, the ids its path names). Core's log lines go through the same logger.

import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

const env = { ...process.env };

beforeAll(() => {
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: 'charges',
    TABLE_NAME: `logging-missing-${process.pid}`,
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    AWS_REGION: 'us-east-1',
    CURSOR_SECRET: 'test-cursor-secret',
  });
});
afterAll(() => {
  process.env = env;
});

function captured(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls
    .map((args) => String(args[0]))
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as Record<string, unknown>);
}

describe('logging on Lambda', () => {
  it(
    'a failed request is one Powertools line with the request id, the route, the caller and the charge ' + 'id',
    async () => {
      // The table does not exist: reading the charge is a fault, logged with its cause.
      const { handler } = await import('../functions/charges.js');
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const response = await handler(
          {
            version: '2.0',
            routeKey: 'GET /credits/charges/{chargeId}',
            rawPath: '/credits/charges/ch_01KG9YS7G0B9EM6WWH1PNE2SCF',
            rawQueryString: '',
            headers: {},
            pathParameters: { chargeId: 'ch_01KG9YS7G0B9EM6WWH1PNE2SCF' },
            isBase64Encoded: false,
            requestContext: {
              http: { method: 'GET', path: '/credits/charges/ch_01KG9YS7G0B9EM6WWH1PNE2SCF' },
              authorizer: { jwt: { claims: { sub: 'log-user' }, scopes: [] } },
            },
          } as never,
          { awsRequestId: 'req-logging-1', functionName: 'charges' } as never,
        );
        expect(response.statusCode).toBe(500);
        const lines = [...captured(out), ...captured(err)];
        expect(lines).toContainEqual(
          expect.objectContaining({
            level: 'ERROR',
            message: 'request failed',
            service: 'io-credits',
            function_request_id: 'req-logging-1',
            route: 'GET /credits/charges/{chargeId}',
            caller: 'log-user',
            chargeId: 'ch_01KG9YS7G0B9EM6WWH1PNE2SCF',
            code: 'internal',
            error: expect.objectContaining({ name: expect.any(String) }),
          }),
        );
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
    },
  );
});

describe('business metrics on Lambda', () => {
  it(
    'core counts through Powertools Metrics, flushed as one CloudWatch EMF line in the IOCredits ' + 'namespace',
    async () => {
      const { powertoolsMetrics } = await import('../functions/metrics.js');
      const { METRICS, metrics } = await import('../core/metrics.js');
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        metrics().add(METRICS.chargesPaid, 1);
        metrics().add(METRICS.creditsCharged, 2.5);
        powertoolsMetrics.publishStoredMetrics();
        const [emf] = captured(out).filter((line) => '_aws' in line);
        expect(emf).toMatchObject({
          ChargesPaid: 1,
          CreditsCharged: 2.5,
          service: 'io-credits',
          _aws: { CloudWatchMetrics: [expect.objectContaining({ Namespace: 'IOCredits' })] },
        });
      } finally {
        out.mockRestore();
      }
    },
  );
});
