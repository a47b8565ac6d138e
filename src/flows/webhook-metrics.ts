/**
 * Webhook metrics, added to the service's registry once per registry (a registry refuses a
 * metric registered twice, and tests build several apps).
 */
import type { Counter, Histogram } from '../metrics/registry.js';
import type { ServiceMetrics } from '../metrics/service.js';

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

const cache = new WeakMap<ServiceMetrics, WebhookMetrics>();

export function webhookMetrics(metrics: ServiceMetrics): WebhookMetrics {
  let found = cache.get(metrics);
  if (!found) {
    const { registry } = metrics;
    found = {
      received: registry.counter(
        'margo_bridge_webhook_deliveries_total',
        'Verified webhook deliveries at receipt, by forge, event and result (accepted, duplicate, ignored, rejected).',
      ),
      handled: registry.counter(
        'margo_bridge_webhook_deliveries_handled_total',
        'Webhook deliveries handled by the job queue, by forge, event and result (handled, ignored).',
      ),
      badSignatures: registry.counter(
        'margo_bridge_webhook_bad_signatures_total',
        'Webhook requests refused with 401, by forge and reason.',
      ),
      handlingSeconds: registry.histogram(
        'margo_bridge_webhook_handling_seconds',
        'Time from receipt of a webhook delivery to its handling, by forge and kind.',
      ),
      batchSize: registry.histogram(
        'margo_bridge_webhook_commit_batch_size',
        'Webhook deliveries stored per database commit (group commit).',
        [1, 2, 4, 8, 16, 32, 64, 128, 256],
      ),
    };
    cache.set(metrics, found);
  }
  return found;
}
