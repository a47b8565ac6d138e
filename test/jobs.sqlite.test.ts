import { queueContract } from '../src/jobs/queue.contract.js';
import { queueHarness, sqliteHarness } from './support/store-harness.js';

queueContract('SQLite', queueHarness(sqliteHarness));
