import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { describeRegistryReader } from '../src/registry/reader.contract.js';

describeRegistryReader('memory storage', (options = {}) =>
  createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true, ...options }),
);
