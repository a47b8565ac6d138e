import { describe, expect, it } from 'vitest';
import { isBridgeError } from '../../errors.js';
import { parsePackageManifest } from './manifest.js';

const digest = (char: string) => `sha256:${char.repeat(64)}`;
const empty = { mediaType: 'application/vnd.oci.empty.v1+json', digest: digest('0'), size: 2 };
const description = {
  mediaType: 'application/vnd.margo.app.description.v1+yaml',
  digest: digest('1'),
  size: 10,
  annotations: { 'org.margo.app.resource': 'margo.yaml' },
};
const manifest = (extra: Record<string, unknown>) =>
  new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.margo.app.v1+json',
      config: empty,
      layers: [description],
      ...extra,
    }),
  );

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    return isBridgeError(error) ? error.code : 'not a BridgeError';
  }
}

describe('parsePackageManifest', () => {
  it('sorts the layers into the description and named resources; unsafe or unnamed ones are problems', () => {
    const parsed = parsePackageManifest(
      manifest({
        layers: [
          description,
          {
            mediaType: 'application/vnd.margo.app.icon.v1+png',
            digest: digest('2'),
            size: 3,
            annotations: { 'org.margo.app.resource': './resources/logo.png' },
          },
          {
            mediaType: 'application/vnd.margo.app.licenseFile.v1+pdf',
            digest: digest('3'),
            size: 3,
            annotations: { 'org.margo.app.resource': '../escape.pdf' },
          },
          { mediaType: 'application/vnd.margo.app.releaseNotes.v1+markdown', digest: digest('4'), size: 3 },
          { mediaType: 'application/octet-stream', digest: digest('5'), size: 3 },
        ],
      }),
      undefined,
      '1.0.0',
    );
    expect(parsed.description.path).toBe('margo.yaml');
    expect(parsed.resources.map((layer) => layer.path)).toEqual(['resources/logo.png']);
    expect(parsed.problems.map((problem) => problem.code)).toEqual(['UNSAFE_PATH', 'NOT_FOUND']);
  });

  it('refuses other artifact types, indexes, several descriptions and broken descriptors', () => {
    expect(codeOf(() => parsePackageManifest(manifest({ artifactType: 'application/x' }), undefined, 't'))).toBe(
      'NO_DESCRIPTION',
    );
    expect(
      codeOf(() =>
        parsePackageManifest(manifest({ mediaType: 'application/vnd.oci.image.index.v1+json' }), undefined, 't'),
      ),
    ).toBe('NO_DESCRIPTION');
    expect(codeOf(() => parsePackageManifest(manifest({ layers: [description, description] }), undefined, 't'))).toBe(
      'NO_DESCRIPTION',
    );
    expect(
      codeOf(() => parsePackageManifest(manifest({ layers: [{ ...description, digest: 'md5:x' }] }), undefined, 't')),
    ).toBe('REGISTRY_PROTOCOL');
    expect(codeOf(() => parsePackageManifest(new TextEncoder().encode('{'), undefined, 't'))).toBe('REGISTRY_PROTOCOL');
  });

  it('takes the type from the config media type when artifactType is absent, and the media type from the header', () => {
    const older = manifest({
      artifactType: undefined,
      mediaType: undefined,
      config: { ...empty, mediaType: 'application/vnd.margo.app.v1+json' },
    });
    expect(parsePackageManifest(older, 'application/vnd.oci.image.manifest.v1+json', 't').description.path).toBe(
      'margo.yaml',
    );
  });
});
