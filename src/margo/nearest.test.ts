import { describe, expect, it } from 'vitest';
import { nearestWord } from './nearest.js';

describe('nearestWord', () => {
  it('finds a misspelt key among the known ones', () => {
    expect(nearestWord('apiVersions', ['apiVersion', 'kind', 'metadata'])).toBe('apiVersion');
    expect(nearestWord('metdata', ['apiVersion', 'kind', 'metadata'])).toBe('metadata');
    expect(nearestWord('deploymentprofiles', ['deploymentProfiles'])).toBe('deploymentProfiles');
    expect(nearestWord('naem', ['name', 'site'])).toBe('name');
  });

  it('suggests nothing when no known word is close', () => {
    expect(nearestWord('colour', ['apiVersion', 'kind', 'metadata'])).toBeUndefined();
    expect(nearestWord('x', ['id'])).toBeUndefined();
  });
});
