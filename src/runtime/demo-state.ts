/**
 * The demonstration registry belongs to `serve --demo` (npm start): only that start serves its
 * Git repository. With --demo it is marked as the demo's and polled at once, so a change to
 * examples/demo-package shows up right after a restart; without --demo it is parked (never due)
 * instead of failing every poll against an address nothing serves, and one log line says so.
 */
import type { Services } from '../services.js';

/** Far enough to never be due; a start with --demo sets it back to now. */
const PARKED = 8_640_000_000_000_000;

export async function settleDemoRegistries(services: Services, demoName: string | undefined): Promise<void> {
  const { store, logger } = services;
  const now = services.clock.now();
  for (const registry of await store.registries.list()) {
    if (registry.name === demoName) {
      await store.registries.update(registry.id, { demo: true, nextPollAt: now });
    } else if (registry.demo && demoName === undefined && registry.nextPollAt < PARKED) {
      await store.registries.update(registry.id, { nextPollAt: PARKED });
      logger.info(
        { registry: registry.name },
        `registry '${registry.name}' is the demonstration registry of serve --demo (npm start); not polled until the service runs with --demo again`,
      );
    }
  }
}
