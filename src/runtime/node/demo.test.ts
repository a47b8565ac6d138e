import { describe, expect, it } from 'vitest';
import type { Package, ReadReleaseOptions, RegistryConnection, RegistryReader } from '../../registry/interface.js';
import { withDemoReader } from './demo.js';

function recordingReader(name: string, calls: string[]): RegistryReader {
  return {
    async listReleases() {
      calls.push(`${name}:list`);
      return [];
    },
    async readRelease(_connection: RegistryConnection, tag: string, options?: ReadReleaseOptions) {
      calls.push(`${name}:read ${tag} ${options?.previousCommit ?? '-'}`);
      return {} as Package;
    },
  };
}

describe('withDemoReader', () => {
  it('sends the demo URL to the demo reader and passes read options through', async () => {
    const calls: string[] = [];
    const reader = withDemoReader(
      'http://127.0.0.1:4000/demo.git',
      recordingReader('demo', calls),
      recordingReader('main', calls),
    );
    const demo: RegistryConnection = { url: 'http://127.0.0.1:4000/demo.git', auth: { type: 'none' } };
    const other: RegistryConnection = { url: 'https://git.example.com/a.git', auth: { type: 'none' } };
    await reader.listReleases(demo);
    await reader.readRelease(demo, 'v1', { previousCommit: 'abc' });
    await reader.readRelease(other, 'v2', { previousCommit: 'def' });
    expect(calls).toEqual(['demo:list', 'demo:read v1 abc', 'main:read v2 def']);
  });
});
