import { describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import { normaliseSubPath, resourcePath } from './paths.js';

function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (isBridgeError(error, 'UNSAFE_PATH')) return error.message;
    throw error;
  }
  throw new Error('expected UNSAFE_PATH');
}

describe('package paths', () => {
  it('resolves resources under the package directory', () => {
    expect(resourcePath('', './resources/icon.png')).toBe('resources/icon.png');
    expect(resourcePath('packages/a', 'resources//icon.png')).toBe('packages/a/resources/icon.png');
    expect(normaliseSubPath('/packages/a/')).toBe('packages/a');
    expect(normaliseSubPath(undefined)).toBe('');
  });

  it('refuses paths that could leave the package', () => {
    for (const path of ['../x', 'a/../../x', 'a/../b', '/etc/passwd', 'C:/x', 'a\\..\\x', 'a\0b']) {
      expect(refusal(() => resourcePath('pkg', path))).toContain(path.includes('\0') ? 'relative' : '');
    }
    expect(refusal(() => resourcePath('', '.'))).toContain('names no file');
    expect(refusal(() => normaliseSubPath('../other'))).toContain('subPath');
  });
});
