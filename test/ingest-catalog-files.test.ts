/**
 * A-58 at ingest: the registry reader lists the package's files, so a release whose description
 * names a catalog file (icon, descriptionFile, releaseNotes, licenseFile) missing from the package
 * is stored with a CATALOG_FILE warning at that field's line, reported once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from './support/git-server.js';
import {
  createRegistryRoot,
  exampleText,
  fixturePackage,
  helloExample,
  publishRelease,
  removeRegistryRoot,
  withVersion,
} from './support/registries.js';
import { ADMIN_TOKEN, type Harness, type RegistryBody, startHarness } from './support/service-harness.js';

interface Warning {
  code: string;
  path: string;
  message: string;
  line: number;
}
interface VersionWarnings {
  state: string;
  warnings: Warning[];
}

let root: string;
let server: GitServer;
let harness: Harness;

beforeAll(async () => {
  root = await createRegistryRoot();
  const hello = await exampleText(helloExample);
  await publishRelease(root, 'catalog', 'v1.0.0', {
    'margo.yaml': withVersion(hello, '1.0.0'),
    ...(await fixturePackage('resources')),
  });
  // The next release drops two of the four files its description still names.
  await publishRelease(root, 'catalog', 'v1.1.0', {
    'margo.yaml': withVersion(hello, '1.1.0'),
    'resources/release-notes.md': null,
    'resources/license.pdf': null,
  });
  server = await startGitServer({ root });
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
  await server?.stop();
  if (root) await removeRegistryRoot(root);
});

describe('catalog files at ingest (A-58)', () => {
  it('warns about each missing catalog file once, with its position, and not about present ones', async () => {
    const created = await harness.call<RegistryBody>('POST', '/api/v1/registries', {
      name: 'catalog',
      url: server.url('catalog'),
      allowHttp: true,
    });
    expect(created.status).toBe(201);
    await harness.poll([created.body.id]);

    const application = 'com-northstartida-hello-world';
    const complete = await harness.call<VersionWarnings>('GET', `/api/v1/applications/${application}/versions/1.0.0`);
    expect(complete.status).toBe(200);
    const completeCodes = complete.body.warnings.map((warning) => warning.code);
    expect(completeCodes).not.toContain('CATALOG_FILE');
    expect(completeCodes.filter((code) => code.startsWith('RESOURCE_'))).toEqual([]);

    const missing = await harness.call<VersionWarnings>('GET', `/api/v1/applications/${application}/versions/1.1.0`);
    expect(missing.body.state).toBe('warnings');
    const catalogWarnings = missing.body.warnings.filter((warning) => warning.code === 'CATALOG_FILE');
    expect(catalogWarnings).toEqual([
      expect.objectContaining({
        path: 'metadata.catalog.application.licenseFile',
        message: "licenseFile './resources/license.pdf' is not in the package",
        line: 14,
      }),
      expect.objectContaining({
        path: 'metadata.catalog.application.releaseNotes',
        message: "releaseNotes './resources/release-notes.md' is not in the package",
        line: 13,
      }),
    ]);
    // The reader's own "could not read" problem for the same files is not repeated.
    expect(missing.body.warnings.map((warning) => warning.code)).not.toContain('RESOURCE_NOT_FOUND');
    // The files still present are served as before.
    const icon = await harness.app.request(`/api/v1/applications/${application}/versions/1.1.0/resources/icon`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/png');
  });
});
