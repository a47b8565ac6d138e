import { describe } from 'vitest';
import { queueContract } from '../src/jobs/queue.contract.js';
import { postgresSkipReason, postgresTestUrl } from './support/postgres.js';
import { postgresHarness, queueHarness } from './support/store-harness.js';

describe.skipIf(!postgresTestUrl)(`PostgreSQL job queue${postgresSkipReason}`, () => {
  queueContract('PostgreSQL', queueHarness(postgresHarness));
});
