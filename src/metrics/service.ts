/**
 * The metrics margo-bridge exposes on /metrics. Other modules (webhooks) add theirs to
 * `registry` with `registry.counter(...)`.
 */
import { type Counter, type Gauge, type Histogram, MetricsRegistry } from './registry.js';

export interface ServiceMetrics {
  registry: MetricsRegistry;
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
}

export function createServiceMetrics(): ServiceMetrics {
  const registry = new MetricsRegistry();
  return {
    registry,
    httpRequests: registry.counter('margo_bridge_http_requests_total', 'HTTP requests by method, route and status.'),
    httpDuration: registry.histogram(
      'margo_bridge_http_request_duration_seconds',
      'HTTP request duration by method and route.',
    ),
    jobs: registry.counter('margo_bridge_jobs_total', 'Jobs run, by kind and outcome.'),
    jobDuration: registry.histogram('margo_bridge_job_duration_seconds', 'Job run time, by kind and outcome.'),
    jobsByState: registry.gauge('margo_bridge_jobs', 'Jobs in the queue by kind and state.'),
    polls: registry.counter('margo_bridge_polls_total', 'Registry polls by result (unchanged, new, failed).'),
    registryErrors: registry.counter(
      'margo_bridge_registry_errors_total',
      'Failed registry operations by registry and error code.',
    ),
    versionsIngested: registry.counter('margo_bridge_versions_ingested_total', 'Versions stored, by state.'),
  };
}
