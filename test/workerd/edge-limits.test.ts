/**
 * One release must fit Workers' 128 MB: the reader on Workers stops at 12 MiB of pack and says
 * that the release is too large for Workers (the container reads it; test/registry-*.test.ts).
 */
import { describe, expect, inject, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { isBridgeError } from '../../src/errors.js';
import { EDGE_MAX_PACK_BYTES, edgeRegistryReader } from '../../src/runtime/worker/registry.js';

describe('a release too large for Workers', () => {
  it('fails with an error that says so, while a small one is read', async () => {
    const git = inject('gitServer');
    const reader = edgeRegistryReader(resolveConfig({ env: {} }));
    const small = await reader.readRelease({ url: git.helloUrl, allowHttp: true, auth: { type: 'none' } }, 'v1.0.0');
    expect(small.descriptionText).toContain('1.0.0');

    const error = await reader
      .readRelease({ url: git.bigUrl, allowHttp: true, auth: { type: 'none' } }, 'v1.0.0')
      .catch((e: unknown) => e);
    expect(isBridgeError(error, 'LIMIT_EXCEEDED')).toBe(true);
    expect((error as Error).message).toMatch(/too large for Cloudflare Workers/);
    expect((error as Error).message).toContain(String(EDGE_MAX_PACK_BYTES));
    expect((error as Error).message).toMatch(/container/);
  });
});
