import { describe, expect, it } from 'vitest';
import { returnPath, safeReturn } from './guard.js';

describe('returnPath', () => {
  it('returns to the form page itself, and to the page above an action', () => {
    expect(returnPath('/configure/app/1.0.0', 'POST')).toBe('/configure/app/1.0.0');
    expect(returnPath('/configure/app/1.0.0/propose', 'POST')).toBe('/configure/app/1.0.0');
    expect(returnPath('/registries/r1/sync', 'POST')).toBe('/registries/r1');
    expect(returnPath('/sign-out', 'POST')).toBe('/');
    expect(returnPath('/registries/r1/sync', 'GET')).toBe('/registries/r1/sync');
  });
});

describe('safeReturn', () => {
  it('keeps only paths of this site', () => {
    expect(safeReturn('/deployments?state=merged')).toBe('/deployments?state=merged');
    for (const hostile of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '']) {
      expect(safeReturn(hostile)).toBe('/');
    }
    expect(safeReturn(undefined)).toBe('/');
  });
});
