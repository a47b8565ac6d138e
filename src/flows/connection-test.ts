/**
 * The connection test before a registry or a deployment repository is stored: one rule for both.
 * A failure stops the save with the cause and the way out (`?force=true`); with `force` it is
 * logged and the save goes on. URL credentials never reach the message.
 */
import { BridgeError } from '../errors.js';
import type { Services } from '../services.js';
import { withoutUrlCredentials } from '../urls.js';

export interface ConnectionTestOptions {
  /** Store even when the test fails. */
  force?: boolean;
  /** Do not test (pre-configured entries are checked by their first use). */
  skipConnectionTest?: boolean;
}

export async function testConnection(
  services: Services,
  subject: { kind: 'registry' | 'deployment repository'; name: string },
  test: () => Promise<unknown>,
  options: ConnectionTestOptions,
  /** What a failure leaves undone, for the message: a new entry not created, a change not made. */
  outcome: 'created' | 'changed' = 'created',
): Promise<void> {
  if (options.skipConnectionTest) return;
  try {
    await test();
  } catch (error) {
    if (options.force) {
      services.logger.warn(
        {
          [subject.kind === 'registry' ? 'registry' : 'deploymentRepository']: subject.name,
          code: error instanceof BridgeError ? error.code : 'INTERNAL',
        },
        'connection test failed; stored anyway (force)',
      );
      return;
    }
    if (error instanceof BridgeError) {
      throw new BridgeError(
        error.code,
        `connection test failed: ${withoutUrlCredentials(error.message)} (the ${subject.kind} was not ${outcome}; add ?force=true to store it anyway)`,
        error.details,
      );
    }
    throw error;
  }
}
