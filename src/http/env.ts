import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../services.js';
import type { TokenRecord } from '../store/interface.js';

/** Variables every handler can read with `c.get(...)`. */
export interface AppEnv {
  Variables: {
    services: Services;
    requestId: string;
    /** The authenticated token on /api/ routes. */
    principal: TokenRecord;
  };
}

export type App = OpenAPIHono<AppEnv>;
