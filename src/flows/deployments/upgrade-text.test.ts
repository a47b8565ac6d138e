import { describe, expect, it } from 'vitest';
import { type UpgradeSummary, upgradeLines, wholeNotes } from './upgrade-text.js';

const notes = { path: 'resources/release-notes.md' };
const version = { tag: 'v1.3.0' };

describe('where the whole release notes are, when cut', () => {
  it('prefers the catalogue when a public URL is configured', () => {
    const registry = { kind: 'git' as const, url: 'https://github.com/acme/app', subPath: '' };
    expect(wholeNotes(version, notes, registry, 'https://bridge.example/api/v1/x/versions/1.3.0')).toEqual({
      releaseNotesUrl: 'https://bridge.example/api/v1/x/versions/1.3.0/resources/releaseNotes',
    });
  });

  it('links the file at the tag on the registry forge, inside the sub-path', () => {
    const registry = { kind: 'git' as const, url: 'https://gitlab.com/acme/apps.git', subPath: 'packages/app' };
    expect(wholeNotes(version, notes, registry, undefined)).toEqual({
      releaseNotesUrl: 'https://gitlab.com/acme/apps/-/blob/v1.3.0/packages/app/resources/release-notes.md',
    });
  });

  it('names the file and tag for other hosts and OCI registries', () => {
    for (const registry of [
      { kind: 'git' as const, url: 'https://git.internal.example/acme/app.git', subPath: 'pkg' },
      { kind: 'oci' as const, url: 'oci://registry.example/acme/app', subPath: '' },
    ]) {
      const place = wholeNotes(version, notes, registry, undefined);
      expect(place.releaseNotesUrl).toBeUndefined();
      expect(place.releaseNotesFile).toEqual({
        path: registry.subPath ? 'pkg/resources/release-notes.md' : 'resources/release-notes.md',
        tag: 'v1.3.0',
      });
    }
  });

  it('shows the link or the sentence after the notes in the body', () => {
    const summary: UpgradeSummary = { from: '1.2.0', to: '1.3.0', dropped: [], changes: [], releaseNotes: '- fixed' };
    const sentence = upgradeLines(
      { ...summary, releaseNotesFile: { path: 'resources/release-notes.md', tag: 'v1.3.0' } },
      new Set(),
    ).join('\n');
    expect(sentence).toContain('- fixed\n\nFull release notes: `resources/release-notes.md` at tag `v1.3.0`');
    const link = upgradeLines({ ...summary, releaseNotesUrl: 'https://x.example/n.md' }, new Set()).join('\n');
    expect(link).toContain('- fixed\n\n[Full release notes](https://x.example/n.md)');
    expect(upgradeLines(summary, new Set()).join('\n')).not.toContain('Full release notes');
  });
});
