// `npm run token -- --sub ID [--scope "credits:service credits:admin"] [--expires 12h]`: prints
// a dev token for the local server, signed with AUTH_DEV_SECRET (or the one `npm start` keeps
// in .data/auth-dev-secret).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { devSecret, signDevToken } from '../functions/local/dev-auth.js';

const { values } = parseArgs({
  options: { sub: { type: 'string' }, scope: { type: 'string' }, expires: { type: 'string', default: '12h' } },
});
if (!values.sub) {
  process.stderr.write('usage: npm run token -- --sub ID [--scope "credits:service credits:admin"] [--expires 12h]\n');
  process.exit(2);
}
const { secret } = devSecret(process.env, resolve('.data', 'auth-dev-secret'));
process.stdout.write(`${await signDevToken(secret, values.sub, values.scope, values.expires)}\n`);
