import { describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import { compileTagFilter, versionFromTag } from './tags.js';

const tags = ['v1.0.0', 'v1.2.3-rc.1', '2.0.0', 'v10.0.0', 'release-5', 'vnext', 'docs'];

describe('tag filter', () => {
  it('derives versions by dropping one leading v (D-10)', () => {
    expect(['v1.0.0', '1.0.0', 'vv1', 'version-2', 'V1'].map(versionFromTag)).toEqual([
      '1.0.0',
      '1.0.0',
      'v1',
      'ersion-2',
      'V1',
    ]);
  });

  it('accepts everything without a pattern or range', () => {
    expect(tags.filter(compileTagFilter({}))).toEqual(tags);
  });

  it('filters by glob', () => {
    expect(tags.filter(compileTagFilter({ tagPattern: 'v[0-9]*' }))).toEqual(['v1.0.0', 'v1.2.3-rc.1', 'v10.0.0']);
    expect(tags.filter(compileTagFilter({ tagPattern: 'release-*' }))).toEqual(['release-5']);
  });

  it('filters by /regex/ with search semantics', () => {
    expect(tags.filter(compileTagFilter({ tagPattern: '/^v\\d+\\.0\\.0$/' }))).toEqual(['v1.0.0', 'v10.0.0']);
    expect(tags.filter(compileTagFilter({ tagPattern: '/rc/' }))).toEqual(['v1.2.3-rc.1']);
  });

  it('filters by semver range; versions that are not semver never match a range', () => {
    expect(tags.filter(compileTagFilter({ semverRange: '>=1.2 <3' }))).toEqual(['v1.2.3-rc.1', '2.0.0']);
    expect(tags.filter(compileTagFilter({ tagPattern: 'v*', semverRange: '>=2' }))).toEqual(['v10.0.0']);
  });

  it('refuses a pattern or range that does not compile, saying which', () => {
    for (const registry of [{ tagPattern: '/(a)\\1/' }, { tagPattern: '/x(?=y)/' }, { semverRange: '>>1' }]) {
      let caught: unknown;
      try {
        compileTagFilter(registry);
      } catch (error) {
        caught = error;
      }
      expect(isBridgeError(caught, 'CONFIG_INVALID')).toBe(true);
      expect((caught as Error).message).toMatch(/tagPattern|semverRange/);
    }
  });
});
