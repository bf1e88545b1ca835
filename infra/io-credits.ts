// IO Credits on AWS, put together from its parts: the deployment's inputs (parameters.ts), the
// table, the secrets, the queues, the grace schedules, the HTTP API with the Usage & Billing app
// on CloudFront in front of it (web.ts), one function per handler with exactly the access it uses
// (functions.ts, access.ts), the daily digests' Object Lock bucket (digests.ts), the nightly expiry,
// the daily close and the sweep (schedules.ts), the API's stage and
// routes (api.ts), the alarms and the dashboard. Every part adds its resources to this construct
// itself, not to a construct of its own, because a resource's logical id is its path: a new level
// would rename, and so replace, every resource (the table among them). The parts are called in the
// order the template lists their resources.

import { join } from 'node:path';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { addAlarms } from './alarms.js';
import { addApiStage, addRoutes } from './api.js';
import { ROOT } from './assets.js';
import type { FunctionName } from './bundling.js';
import { addDashboard } from './dashboard.js';
import { addDigestBucket } from './digests.js';
import { addFunctions, type Functions } from './functions.js';
import { checkoutSettings, deploymentInputs, type IoCreditsProps } from './parameters.js';
import { addQueues } from './queues.js';
import { addGraceScheduling, addJobSchedules } from './schedules.js';
import { addSecrets } from './secrets.js';
import { addTable } from './table.js';
import { WebApp } from './web.js';

export { ACCESS } from './access.js';
export { THROTTLE } from './api.js';
export type { FunctionName, IoCreditsProps };

export class IoCredits extends Construct {
  readonly table: Table;
  readonly api: HttpApi;
  readonly functions: Functions;
  readonly expiryQueue: Queue;
  readonly webhookQueue: Queue;
  readonly outcomesQueue: Queue;
  readonly dashboard: Dashboard;
  readonly web: WebApp;
  /** The daily digests, under Object Lock (digests.ts). */
  readonly digests: Bucket;

  constructor(scope: Construct, id: string, props: IoCreditsProps = {}) {
    super(scope, id);
    const inputs = deploymentInputs(this, props);
    this.table = addTable(this);
    const secrets = addSecrets(this);
    const queues = addQueues(this);
    this.expiryQueue = queues.expiry.queue;
    this.webhookQueue = queues.webhook.queue;
    this.outcomesQueue = queues.outcomes.queue;
    const grace = addGraceScheduling(this);
    this.digests = addDigestBucket(this);

    // The app's distribution fronts the API, and the checkout's return URLs are the app's: both
    // come before the functions, the API's stage and routes after them.
    this.api = new HttpApi(this, 'Api', { description: 'IO Credits', createDefaultStage: false });
    this.web = new WebApp(this, 'Web', {
      api: this.api,
      distDir: join(ROOT, 'web', 'dist'),
      issuer: inputs.issuer,
      audience: inputs.appAudience,
      clientId: inputs.clientId,
    });
    const checkout = checkoutSettings(this, inputs, this.web.url);

    this.functions = addFunctions(this, {
      table: this.table,
      grace,
      queues,
      secrets,
      checkout,
      seller: inputs.seller,
      digests: this.digests,
    });
    addJobSchedules(this, {
      expiryFanout: this.functions['expiry-fanout'],
      sweep: this.functions.sweep,
      close: this.functions.close,
    });
    addApiStage(this, this.api);
    addRoutes(this.api, this.functions, inputs);
    addAlarms(this, queues, this.functions);
    this.dashboard = addDashboard(this, queues, this.functions);
  }
}
