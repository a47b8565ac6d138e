import { describe } from 'vitest';
import { serviceSuite } from './service-suite.js';

describe('service on SQLite', () => {
  serviceSuite(async () => undefined);
});
