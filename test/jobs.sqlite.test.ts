import { queueContract } from '../src/jobs/queue.contract.js';
import { sqliteHarness } from './support/store-harness.js';

queueContract('SQLite', sqliteHarness);
