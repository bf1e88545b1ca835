// The HTTP API's stage and routes. Every route of functions/http/routes.ts goes to its group's
// function; all but the public ones (the providers' webhooks, the OpenAPI document) need an IO ID
// token that API Gateway's JWT authorizer accepts, and admin and service routes their scopes too,
// so a caller without them is refused before any function runs (the handlers check again). The
// stage throttles (THROTTLE) and writes one JSON access-log line per request. The API itself is
// made before the app's distribution (web.ts), which fronts it.

import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  type HttpApi,
  type HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { SCOPES_OF } from '../functions/http/auth.js';
import { routes } from '../functions/http/routes.js';
import type { Functions } from './functions.js';

/**
 * Requests per second (and bursts) the API's stage admits, over all callers: beyond them API
 * Gateway answers 429 before any function runs. Buying credits creates a checkout at a provider,
 * and the providers' webhooks retry what is refused, so both get less.
 */
export const THROTTLE = {
  default: { rate: 200, burst: 400 },
  routes: {
    'POST /credits/purchases': { rate: 10, burst: 20 },
    'POST /webhooks/stripe': { rate: 50, burst: 100 },
    'POST /webhooks/spherepay': { rate: 50, burst: 100 },
  } as Record<string, { rate: number; burst: number }>,
};

/** One JSON line per request, keyed by API Gateway's request id (the handlers log it too). */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  sub: '$context.authorizer.claims.sub',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
};

/** The IO ID tokens the API accepts. */
export interface JwtTrust {
  issuer: string;
  audience: string[];
}

export function addApiStage(scope: Construct, api: HttpApi): HttpStage {
  const accessLogs = new LogGroup(scope, 'Logs-api-access', {
    retention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const stage = new HttpStage(scope, 'DefaultStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: THROTTLE.default.rate, burstLimit: THROTTLE.default.burst },
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
    },
  });
  // Tighter limits where each request costs a provider call or is sent by one (per route, over all callers).
  (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
    Object.entries(THROTTLE.routes).map(([routeKey, limit]) => [
      routeKey,
      { ThrottlingRateLimit: limit.rate, ThrottlingBurstLimit: limit.burst },
    ]),
  );
  return stage;
}

/** Every route, each group's through one integration with its function. */
export function addRoutes(api: HttpApi, functions: Functions, jwt: JwtTrust): void {
  const authorizer = new HttpJwtAuthorizer('IoIdJwt', jwt.issuer, { jwtAudience: jwt.audience });
  const integrations = new Map<string, HttpLambdaIntegration>();
  for (const route of routes) {
    let integration = integrations.get(route.group);
    if (!integration) {
      integration = new HttpLambdaIntegration(`Integration-${route.group}`, functions[route.group]);
      integrations.set(route.group, integration);
    }
    // Scoped routes are refused at the gateway too, before a handler runs (the handler checks again).
    const scopes = route.access === 'admin' || route.access === 'service' ? [...SCOPES_OF[route.access]] : undefined;
    api.addRoutes({
      path: route.path,
      methods: [route.method as HttpMethod],
      integration,
      authorizer: route.access === 'public' ? new HttpNoneAuthorizer() : authorizer,
      ...(scopes ? { authorizationScopes: scopes } : {}),
    });
  }
}
