// The functions' logger: Powertools for AWS Lambda, structured JSON with the service name, the
// Lambda request id and cold start (injectLambdaContext), and the keys a request appends (its
// route, the caller, the charge, purchase, withdrawal or account it names). Everything logs
// through core's port (core/log.ts), which this plugs Powertools into.

import { Logger } from '@aws-lambda-powertools/logger';
import { useLog } from '../core/log.js';

export const logger = new Logger({ serviceName: 'io-credits' });

// On Lambda only: the local server and the tests keep core's console lines, one process serving
// many simulated requests.
if (process.env.AWS_LAMBDA_FUNCTION_NAME)
  useLog({
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  });
