/**
 * The one configuration schema of margo-bridge: `margo-bridge.yaml` and the environment variables
 * (config/env.ts) merge into this object, the environment winning. Strict everywhere, so a
 * misspelt key fails with its path instead of being ignored. Documented in docs/configuration.md.
 */
import { z } from 'zod';
import { deploymentRepositorySchema } from './deployment-repositories.js';

export const MIN_POLL_INTERVAL_SECONDS = 30;
export const DEFAULT_POLL_INTERVAL_SECONDS = 300;
/** A week: longer intervals only delay releases, and unbounded ones overflow dates and integer columns. */
export const MAX_POLL_INTERVAL_SECONDS = 7 * 86_400;

const pollIntervalSchema = z
  .number()
  .int()
  .min(MIN_POLL_INTERVAL_SECONDS, `must be at least ${MIN_POLL_INTERVAL_SECONDS} seconds`)
  .max(MAX_POLL_INTERVAL_SECONDS, `must be at most ${MAX_POLL_INTERVAL_SECONDS} seconds (7 days)`);

export const registryAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }),
  z.strictObject({ type: z.literal('bearer'), token: z.string().min(1) }),
]);

/** A registry pre-configured in the file; reconciled (created or updated, never deleted) at each start. */
export const configuredRegistrySchema = z.strictObject({
  name: z.string().min(1).max(200),
  /** `git` (default) or `oci` (an OCI repository: https://registry.example.com/<name>). */
  kind: z.enum(['git', 'oci']).optional(),
  url: z.string().url(),
  subPath: z.string().default(''),
  tagPattern: z.string().min(1).optional(),
  semverRange: z.string().min(1).optional(),
  strictVersion: z.boolean().default(false),
  allowHttp: z.boolean().default(false),
  pollInterval: pollIntervalSchema.optional(),
  auth: registryAuthSchema.optional(),
  caCert: z.string().min(1).optional(),
  clientCert: z.string().min(1).optional(),
  clientKey: z.string().min(1).optional(),
  webhookSecret: z.string().min(1).optional(),
});
export type ConfiguredRegistry = z.infer<typeof configuredRegistrySchema>;

export const configSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(8787),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('./data'),
  /** postgres://… selects PostgreSQL; absent means SQLite in dataDir. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** 32 bytes as base64 or 64 hex characters; else a key file in dataDir is used. */
  secretKey: z.string().min(1).optional(),
  allowPrivateNetworks: z.boolean().default(false),
  /** Seconds a SIGTERM waits for requests and jobs before closing connections and releasing job leases. */
  shutdownTimeout: z.number().int().min(1).max(300).default(10),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  polling: z
    .strictObject({
      /** Default poll interval of registries, seconds. */
      interval: pollIntervalSchema.default(DEFAULT_POLL_INTERVAL_SECONDS),
      /** How often the scheduler looks for due registries, seconds. */
      tick: z.number().int().min(1).max(3600).default(5),
      /** Fraction of the interval added or removed at random, so registries do not poll together. */
      jitter: z.number().min(0).max(0.5).default(0.1),
      /** Upper bound of the delay after failures, seconds. */
      maxBackoff: z.number().int().min(MIN_POLL_INTERVAL_SECONDS).max(MAX_POLL_INTERVAL_SECONDS).default(3600),
      /** Registries polled at once per process. */
      concurrency: z.number().int().min(1).max(256).default(8),
    })
    .default({ interval: DEFAULT_POLL_INTERVAL_SECONDS, tick: 5, jitter: 0.1, maxBackoff: 3600, concurrency: 8 }),
  jobs: z
    .strictObject({
      /** Other jobs (ingests, webhook deliveries) run at once per process. */
      concurrency: z.number().int().min(1).max(64).default(2),
      /** A crashed worker's job is picked up again after this many seconds. */
      leaseSeconds: z.number().int().min(1).max(3600).default(30),
      pollIntervalMs: z.number().int().min(10).max(60_000).default(500),
      maxAttempts: z.number().int().min(1).max(100).default(5),
    })
    .default({ concurrency: 2, leaseSeconds: 30, pollIntervalMs: 500, maxAttempts: 5 }),
  webhooks: z
    .strictObject({
      /** Shared secrets accepted on /webhooks/* (several for rotation). */
      secrets: z.array(z.string().min(1)).default([]),
      /**
       * Bytes all unverified webhook bodies may hold at once (then 503 with Retry-After); at least
       * one largest body (25 MiB). The default, two of them, fits a 512 MB container.
       */
      unverifiedBodyBudget: z
        .number()
        .int()
        .min(25 * 1024 * 1024)
        .max(1024 * 1024 * 1024)
        .default(50 * 1024 * 1024),
    })
    .default({ secrets: [], unverifiedBodyBudget: 50 * 1024 * 1024 }),
  /** Days rows are kept (issue 10): webhook deliveries, registry events, done jobs. Dead jobs stay. */
  retention: z
    .strictObject({
      deliveryDays: z.number().int().min(1).max(3650).default(30),
      eventDays: z.number().int().min(1).max(3650).default(30),
      doneJobDays: z.number().int().min(1).max(3650).default(7),
    })
    .default({ deliveryDays: 30, eventDays: 30, doneJobDays: 7 }),
  ingest: z
    .strictObject({
      /**
       * Largest pack one release may fetch, bytes: the memory bound of an ingest. With partial
       * clones the pack is the package's own files; a server without them sends the whole tree.
       * Packs are indexed and read by ranges, not held (docs/limits.md); an object held whole (a
       * delta's base) may be at most this large. The default keeps two concurrent ingests
       * (jobs.concurrency) and the webhook body budget within a 512 MB container.
       */
      maxPackBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .max(1024 * 1024 * 1024)
        .default(24 * 1024 * 1024),
    })
    .default({ maxPackBytes: 24 * 1024 * 1024 }),
  registries: z.array(configuredRegistrySchema).default([]),
  /** Deployment repositories pre-configured in the file; reconciled (created or updated, never deleted) at each start. */
  deploymentRepositories: z.array(deploymentRepositorySchema).default([]),
  /** The address users reach margo-bridge at, for links in pull requests (catalogue pages). */
  publicUrl: z.string().url().optional(),
  deployments: z
    .strictObject({
      /** How often open proposals are checked with their forge (besides webhook deliveries), seconds. */
      checkInterval: z.number().int().min(10).max(86_400).default(300),
      /** Who may fetch the `local` repositories at /git/<name>.git: anyone, or holders of any API token. */
      gitAccess: z.enum(['anonymous', 'viewer']).default('viewer'),
    })
    .default({ checkInterval: 300, gitAccess: 'viewer' }),
});

export type Config = z.infer<typeof configSchema>;
/** What the file and the environment may give: every key optional. */
export type ConfigInput = z.input<typeof configSchema>;
