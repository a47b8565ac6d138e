/**
 * Retention (issue 10, item 6): what the tables keep. Deliveries and registry events for
 * `retention.deliveryDays` / `retention.eventDays`, done jobs for `retention.doneJobDays`; dead
 * letters stay until someone acts on them. A delivery still pending after its retention is moot:
 * the scheduled poll has long seen its tag. The runtime calls `purgeExpired` once an hour.
 */
import type { Services } from '../services.js';

const DAY_MS = 86_400_000;

export interface PurgeCounts {
  deliveries: number;
  events: number;
  jobs: number;
}

export async function purgeExpired(services: Services, now = services.clock.now()): Promise<PurgeCounts> {
  const { retention } = services.config;
  const { store } = services;
  const counts = {
    deliveries: await store.deliveries.purge(now - retention.deliveryDays * DAY_MS),
    events: await store.events.purge(now - retention.eventDays * DAY_MS),
    jobs: await store.jobs.purge(now - retention.doneJobDays * DAY_MS),
  };
  if (counts.deliveries + counts.events + counts.jobs > 0) services.logger.info({ ...counts }, 'expired rows purged');
  return counts;
}
