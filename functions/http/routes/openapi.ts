// The openapi group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import { defineRoute } from '../route.js';

export const openapiRoutes = {
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    group: 'openapi',
    access: 'public',
  }),
};
