// Routes that exist only on the local server, never deployed: the sign-in page's dev tokens, the
// manual test clock (like Stripe's test clocks) for trying grace deadlines and expiry by hand, the
// nightly expiry and the daily close on demand, the local checkout, and refunds and disputes made at
// the Stripe stand-in.

import * as z from 'zod';
import { closeDays, dayToClose } from '../../core/close/close.js';
import { Conflict } from '../../core/errors.js';
import { reconcileStep } from '../../core/reconcile/reconcile.js';
import { iso } from '../../core/time.js';
import { type GroupHandler, groupHandler, implement } from '../http/handler.js';
import { defineRoute, type RouteShape } from '../http/routes.js';
import { numberOrText, timestamp, utcDay } from '../http/schemas.js';
import { LOCAL_USERS, type LocalUser, signDevToken } from './dev-auth.js';
import { checkoutHandler, checkoutRoutes } from './local-checkout.js';
import { runExpiryLocally } from './local-expiry.js';
import { standInHandler, standInRoutes } from './local-stand-in-routes.js';

export interface LocalRoute extends RouteShape {
  group: 'local';
  handler: GroupHandler;
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

const testClockRoute = defineRoute({
  group: 'local',
  method: 'POST',
  path: '/admin/test-clock',
  access: 'admin',
  summary: 'Move the manual clock (local mode with IO_CREDITS_CLOCK=manual)',
  description: 'Advances the manual clock by seconds, or sets it to a later instant, then runs what came due.',
  body: testClockBody,
  responses: { 200: { description: 'The clock' } },
});

const testClock = groupHandler([
  implement(testClockRoute, async ({ body, runtime }) => {
    const clock = runtime.manualClock;
    if (!clock) throw new Conflict('the clock is not manual: start with IO_CREDITS_CLOCK=manual');
    if ('advanceSeconds' in body) clock.advance(body.advanceSeconds * 1000);
    else if (body.now < clock.nowMs()) throw new Conflict('the clock only moves forward');
    else clock.set(body.now);
    // What came due meanwhile happens before the answer: grace deadlines, then the sweeps.
    await runtime.afterClockMove?.();
    return { status: 200, body: { now: iso(clock.nowMs()) } };
  }),
]);

const expiryRoute = defineRoute({
  group: 'local',
  method: 'POST',
  path: '/admin/jobs/expiry',
  access: 'admin',
  summary: 'Run the nightly expiry now: fan-out and workers over the in-process queue; answers what it did',
  description: 'Runs the nightly expiry now and answers what it did.',
  body: z.strictObject({}).optional(),
  responses: { 200: { description: 'What the run did' } },
});

const expiryJob = groupHandler([
  implement(expiryRoute, async ({ runtime }) => ({ status: 200, body: await runExpiryLocally(runtime.ledger) })),
]);

const closeRoute = defineRoute({
  group: 'local',
  method: 'POST',
  path: '/admin/jobs/close',
  access: 'admin',
  summary: "Run the daily close now: the digest of a closed day (yesterday's by default), and of any day missed",
  description:
    'Closes a UTC day now (SPEC §12) into .data/digests, reconciles it with the providers (the report beside ' +
    'the digest, GET /admin/closes/{day}) and answers each day it closed.',
  body: z.strictObject({ day: utcDay.optional() }).optional(),
  responses: { 200: { description: 'The days closed' } },
});

const closeJob = groupHandler([
  implement(closeRoute, async ({ body, runtime }) => {
    const { ledger, digests } = runtime;
    if (!digests) throw new Conflict('no digest store: start the server with npm start');
    const nowMs = ledger.nowMs();
    // Reconciled against the providers' stand-ins (or the providers, when their keys are set).
    const reconcile = reconcileStep({ table: ledger.table, store: digests, sources: runtime.paymentsSources ?? [] });
    const closed = await closeDays(
      { table: ledger.table, store: digests, nowMs, after: [reconcile] },
      body?.day ?? dayToClose(nowMs),
    );
    return {
      status: 200,
      body: {
        days: closed.map(({ published, new: isNew, accountsRead }) => ({
          ...published,
          new: isNew,
          accountsRead,
        })),
      },
    };
  }),
]);

const signInBody = z.strictObject({ user: z.enum(Object.keys(LOCAL_USERS) as [LocalUser, ...LocalUser[]]) });
const SIGN_IN_HOURS = 12;

const signInRoute = defineRoute({
  group: 'local',
  method: 'POST',
  path: '/local/sign-in',
  access: 'public',
  summary:
    "The local sign-in page's token for one of its users (the demo user, or finance or finance-2 with credits:admin)",
  description: 'Signs a dev token for one of the local users, for the app on the local server.',
  body: signInBody,
  responses: { 200: { description: 'A dev token' } },
});

const signIn = groupHandler([
  implement(signInRoute, async ({ body, local }) => {
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
  }),
]);

export const localRoutes: LocalRoute[] = [
  { ...signInRoute, handler: signIn },
  { ...testClockRoute, handler: testClock },
  { ...expiryRoute, handler: expiryJob },
  { ...closeRoute, handler: closeJob },
  ...checkoutRoutes.map((route): LocalRoute => ({ ...route, handler: checkoutHandler })),
  ...standInRoutes.map((route): LocalRoute => ({ ...route, handler: standInHandler })),
];
