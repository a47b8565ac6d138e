import { describe, expect, it } from 'vitest';
import type { Description } from '../../margo/model.js';
import { hiddenParameters, secretLooking } from './sensitive.js';

const description = {
  parameters: { dbPassword: {}, apiToken: {}, replicas: {}, login: {}, plain: {} },
  configuration: {
    sections: [
      {
        name: 'Access',
        settings: [
          { parameter: 'login', name: 'Client secret', schema: 'text', immutable: false },
          { parameter: 'plain', name: 'Plain', schema: 'text', immutable: false },
        ],
      },
    ],
    schema: [],
  },
} as unknown as Description;

describe('sensitive values', () => {
  it('finds parameters whose parameter, setting or schema name suggests a secret', () => {
    expect([...secretLooking(description)].sort()).toEqual(['apiToken', 'dbPassword', 'login']);
    expect([...hiddenParameters(description, ['plain'])].sort()).toEqual(['apiToken', 'dbPassword', 'login', 'plain']);
  });
});
