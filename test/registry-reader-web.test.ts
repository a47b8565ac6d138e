/**
 * The runtime-independent reader as Workers use it: isomorphic-git's `http/web` client (fetch) and
 * the in-memory object storage, against the same contract. (The outbound address guard and
 * per-registry TLS are Node features: see registry/node/.)
 */
import http from 'isomorphic-git/http/web';
import { createRegistryReader, memoryStorage } from '../src/registry/index.js';
import { describeRegistryReader } from '../src/registry/reader.contract.js';

describeRegistryReader('web fetch client, memory storage', (options = {}) =>
  createRegistryReader({ storage: memoryStorage(), connect: () => ({ client: http, close() {} }), ...options }),
);
