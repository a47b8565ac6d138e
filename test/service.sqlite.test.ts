import { describe } from 'vitest';
import { serviceSuite } from './support/service-suite.js';

describe('service on SQLite', () => {
  serviceSuite(async () => undefined);
});
