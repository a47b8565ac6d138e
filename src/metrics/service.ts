/**
 * The metrics margo-bridge exposes on /metrics, all created here, once per process (a `Metrics`
 * refuses a name registered twice).
 */
import { type Counter, type Gauge, type Histogram, Metrics } from './metrics.js';

export interface WebhookMetrics {
  /** At receipt: forge, event, result (accepted, duplicate, ignored, rejected). */
  received: Counter;
  /** After handling: forge, event, result (handled, ignored). */
  handled: Counter;
  /** forge, reason (missing-signature, bad-signature, stale-timestamp, no-secret-configured, wrong-repository). */
  badSignatures: Counter;
  /** From receipt to handled, seconds; forge, kind. */
  handlingSeconds: Histogram;
  /** Deliveries per group commit. */
  batchSize: Histogram;
}

export interface ServiceMetrics {
  /** Every metric, rendered on /metrics. */
  all: Metrics;
  /** route = the route pattern (never the raw path, to bound cardinality). */
  httpRequests: Counter;
  httpDuration: Histogram;
  /** kind, outcome (done | failed). */
  jobs: Counter;
  jobDuration: Histogram;
  /** kind, state: jobs in the queue, refreshed at each scrape. */
  jobsByState: Gauge;
  /** result: unchanged | new | failed. */
  polls: Counter;
  /** registry (name), code (BridgeError code). */
  registryErrors: Counter;
  /** state: valid | warnings | rejected. */
  versionsIngested: Counter;
  /** mark: withdrawn | moved | cleared, one per change of a version's mark (flows/version-marks.ts). */
  versionMarks: Counter;
  /** registry: versions refused because another registry owns their application id. */
  applicationIdConflicts: Counter;
  webhooks: WebhookMetrics;
}

export function createServiceMetrics(): ServiceMetrics {
  const all = new Metrics();
  return {
    all,
    httpRequests: all.counter('margo_bridge_http_requests_total', 'HTTP requests by method, route and status.'),
    httpDuration: all.histogram(
      'margo_bridge_http_request_duration_seconds',
      'HTTP request duration by method and route.',
    ),
    jobs: all.counter('margo_bridge_jobs_total', 'Jobs run, by kind and outcome.'),
    jobDuration: all.histogram('margo_bridge_job_duration_seconds', 'Job run time, by kind and outcome.'),
    jobsByState: all.gauge('margo_bridge_jobs', 'Jobs in the queue by kind and state.'),
    polls: all.counter('margo_bridge_polls_total', 'Registry polls by result (unchanged, new, failed).'),
    registryErrors: all.counter(
      'margo_bridge_registry_errors_total',
      'Failed registry operations by registry and error code.',
    ),
    versionsIngested: all.counter('margo_bridge_versions_ingested_total', 'Versions stored, by state.'),
    versionMarks: all.counter(
      'margo_bridge_version_marks_total',
      'Versions whose tag was deleted (withdrawn) or moved in the registry, or came back (cleared), by mark.',
    ),
    applicationIdConflicts: all.counter(
      'margo_bridge_application_id_conflicts_total',
      'Versions refused because another registry owns their application id, by registry.',
    ),
    webhooks: {
      received: all.counter(
        'margo_bridge_webhook_deliveries_total',
        'Verified webhook deliveries at receipt, by forge, event and result (accepted, duplicate, ignored, rejected).',
      ),
      handled: all.counter(
        'margo_bridge_webhook_deliveries_handled_total',
        'Webhook deliveries handled by the job queue, by forge, event and result (handled, ignored).',
      ),
      badSignatures: all.counter(
        'margo_bridge_webhook_bad_signatures_total',
        'Webhook requests refused with 401, by forge and reason.',
      ),
      handlingSeconds: all.histogram(
        'margo_bridge_webhook_handling_seconds',
        'Time from receipt of a webhook delivery to its handling, by forge and kind.',
      ),
      batchSize: all.histogram(
        'margo_bridge_webhook_commit_batch_size',
        'Webhook deliveries stored per database commit (group commit).',
        [1, 2, 4, 8, 16, 32, 64, 128, 256],
      ),
    },
  };
}
