// Routes that exist only on the local server, never deployed: the sign-in page's dev tokens, the
// manual test clock (like Stripe's test clocks) for trying grace deadlines and expiry by hand, the
// nightly expiry run on demand, and the local checkout.

import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { Conflict } from '../../core/errors.js';
import { iso } from '../../core/time.js';
import { groupHandler, type HttpEvent, type Request } from '../http/handler.js';
import type { Route } from '../http/routes.js';
import { numberOrText, timestamp } from '../http/schemas.js';
import { LOCAL_USERS, type LocalUser, signDevToken } from './dev-auth.js';
import { checkoutHandler, checkoutRoutes } from './local-checkout.js';
import { runExpiryLocally } from './local-expiry.js';

export interface LocalRoute extends Omit<Route, 'group'> {
  local: true;
  group: 'local';
  handler: (event: HttpEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
}

const TEN_YEARS_SECONDS = 10 * 366 * 86_400;
const testClockBody = z.union([
  z.strictObject({
    advanceSeconds: numberOrText.pipe(
      z
        .string()
        .regex(/^\d{1,9}$/, 'must be whole seconds')
        .transform(Number)
        .refine((n) => n <= TEN_YEARS_SECONDS, 'at most ten years at a time'),
    ),
  }),
  z.strictObject({ now: timestamp }),
]);

const testClockRoute: Omit<LocalRoute, 'handler'> = {
  local: true,
  group: 'local',
  method: 'POST',
  path: '/admin/test-clock',
  access: 'admin',
  summary: 'Move the manual clock (local mode with IO_CREDITS_CLOCK=manual)',
  body: testClockBody,
  responses: { 200: { description: 'The clock' } },
};

const testClock = groupHandler(
  {
    'POST /admin/test-clock': async ({ body, runtime }: Request<unknown, z.output<typeof testClockBody>>) => {
      const clock = runtime.manualClock;
      if (!clock) throw new Conflict('the clock is not manual: start with IO_CREDITS_CLOCK=manual');
      if ('advanceSeconds' in body) clock.advance(body.advanceSeconds * 1000);
      else if (body.now < clock.nowMs()) throw new Conflict('the clock only moves forward');
      else clock.set(body.now);
      // What came due meanwhile happens before the answer: grace deadlines, then the sweeps.
      await runtime.afterClockMove?.();
      return { status: 200, body: { now: iso(clock.nowMs()) } };
    },
  },
  [testClockRoute as unknown as Route],
);

const expiryRoute: Omit<LocalRoute, 'handler'> = {
  local: true,
  group: 'local',
  method: 'POST',
  path: '/admin/jobs/expiry',
  access: 'admin',
  summary: 'Run the nightly expiry now: fan-out and workers over the in-process queue; answers what it did',
  body: z.strictObject({}).optional(),
  responses: { 200: { description: 'What the run did' } },
};

const expiryJob = groupHandler(
  {
    'POST /admin/jobs/expiry': async ({ runtime }: Request) => ({
      status: 200,
      body: await runExpiryLocally(runtime.ledger),
    }),
  },
  [expiryRoute as unknown as Route],
);

const signInBody = z.strictObject({ user: z.enum(Object.keys(LOCAL_USERS) as [LocalUser, ...LocalUser[]]) });
const SIGN_IN_HOURS = 12;

const signInRoute: Omit<LocalRoute, 'handler'> = {
  local: true,
  group: 'local',
  method: 'POST',
  path: '/local/sign-in',
  access: 'public',
  summary: "The local sign-in page's token for one of its users (the demo user, or finance with credits:admin)",
  body: signInBody,
  responses: { 200: { description: 'A dev token' } },
};

const signIn = groupHandler(
  {
    'POST /local/sign-in': async ({ body, local }: Request<unknown, z.output<typeof signInBody>>) => {
      if (!local) throw new Conflict('signing in here works on the local server only');
      const user = LOCAL_USERS[body.user];
      const token = await signDevToken(local.authSecret, user.sub, user.scope, `${SIGN_IN_HOURS}h`);
      return {
        status: 200,
        body: {
          token,
          sub: user.sub,
          name: user.name,
          scopes: user.scope ? [user.scope] : [],
          expiresInSeconds: SIGN_IN_HOURS * 3_600,
        },
      };
    },
  },
  [signInRoute as unknown as Route],
);

export const localRoutes: LocalRoute[] = [
  { ...signInRoute, handler: signIn as unknown as LocalRoute['handler'] },
  { ...testClockRoute, handler: testClock as unknown as LocalRoute['handler'] },
  { ...expiryRoute, handler: expiryJob as unknown as LocalRoute['handler'] },
  ...checkoutRoutes.map(
    (route): LocalRoute => ({
      ...route,
      local: true,
      group: 'local',
      handler: checkoutHandler as unknown as LocalRoute['handler'],
    }),
  ),
];
