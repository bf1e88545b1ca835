// The Usage & Billing app on AWS: its built files in a private S3 bucket, served by CloudFront
// through origin access control, with strict security headers (the CSP of web/security.ts); the
// API on the same distribution under its own paths, so the app calls its own origin and no CORS is
// needed; and /config.json, written at deploy time, telling the app where the API is and which
// OpenID Connect issuer, client and audience to sign in with (the ones the API's JWT authorizer
// trusts).

import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { routes } from '../functions/http/routes.js';
import { APP_ROUTES, contentSecurityPolicy, SECURITY_HEADERS } from '../web/security.js';

export interface WebAppProps {
  api: HttpApi;
  /** web/dist, built (scripts/web-build.ts) before synthesis. */
  distDir: string;
  /** The OpenID Connect issuer and audience the API's authorizer trusts, and the app's public client id there. */
  issuer: string;
  audience: string;
  clientId: string;
}

/**
 * The first segment of every API route, as CloudFront path patterns: each becomes a behaviour sent
 * to the API. A segment that is a route itself (GET /notifications) takes `*` without the slash.
 */
export function apiPathPatterns(): string[] {
  const paths = routes.map((route) => route.path);
  const roots = new Set(paths.map((path) => path.split('/')[1]!));
  return [...roots]
    .sort()
    .map((root) => (root.includes('.') ? `/${root}` : paths.includes(`/${root}`) ? `/${root}*` : `/${root}/*`));
}

const TWO_YEARS = Duration.days(730);

export class WebApp extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution domain>, the app's origin. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // The files are rebuilt from the repository on every deploy.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const headers = securityHeaders(this, props.issuer);
    const appRoutes = appRoutesFunction(this);

    const apiOrigin = new HttpOrigin(`${props.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`);
    const apiBehaviour = {
      origin: apiOrigin,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      // Every API answer is for one caller: nothing is cached, the token and query go through.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'IO Credits: Usage & Billing and its API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: appRoutes, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns().map((pattern) => [pattern, apiBehaviour])),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    deployFiles(this, this.bucket, this.distribution, props);
  }
}

/**
 * The app's security headers: the CSP of web/security.ts (which lets it reach the identity
 * provider), HSTS for two years, no framing, no MIME sniffing, the referrer policy and the
 * Permissions-Policy.
 */
function securityHeaders(scope: Construct, issuer: string): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, 'SecurityHeaders', {
    comment: 'IO Credits app: strict CSP and security headers',
    securityHeadersBehavior: {
      contentSecurityPolicy: {
        contentSecurityPolicy: contentSecurityPolicy({ identityOrigins: [issuer] }),
        override: true,
      },
      strictTransportSecurity: { accessControlMaxAge: TWO_YEARS, includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
    },
    customHeadersBehavior: {
      customHeaders: [{ header: 'Permissions-Policy', value: SECURITY_HEADERS['permissions-policy'], override: true }],
    },
  });
}

/** The app's own routes are one page (index.html); everything else is a file or the API. */
function appRoutesFunction(scope: Construct): CloudFrontFunction {
  return new CloudFrontFunction(scope, 'AppRoutes', {
    comment: 'IO Credits app: its routes are index.html',
    code: FunctionCode.fromInline(
      `var ROUTES = ${JSON.stringify(APP_ROUTES)};\nfunction handler(event) {\n  var request = ` +
        `event.request;\n  if (ROUTES.indexOf(request.uri) !== -1) request.uri = '/index.html';\n  return ` +
        `request;\n}`,
    ),
  });
}

/**
 * Built files: hashed names never change, so they are cached for a year; index.html, config.json
 * and the icon are checked on every load, so a deploy takes effect at once.
 */
function deployFiles(scope: Construct, bucket: Bucket, distribution: Distribution, props: WebAppProps): void {
  const assets = new BucketDeployment(scope, 'Assets', {
    destinationBucket: bucket,
    sources: [Source.asset(props.distDir, { exclude: ['*', '!assets', '!assets/**'] })],
    cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    prune: false,
  });
  const pages = new BucketDeployment(scope, 'Pages', {
    destinationBucket: bucket,
    sources: [
      Source.asset(props.distDir, { exclude: ['assets', 'assets/**', '.source-digest'] }),
      Source.jsonData('config.json', {
        apiUrl: '',
        auth: { mode: 'oidc', issuer: props.issuer, clientId: props.clientId, audience: props.audience },
      }),
    ],
    cacheControl: [CacheControl.noCache()],
    prune: false,
    distribution,
    distributionPaths: ['/index.html', '/config.json', '/', '/favicon.svg'],
  });
  pages.node.addDependency(assets);
}
