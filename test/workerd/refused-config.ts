/**
 * A configuration asking for everything Workers cannot do, and the reasons its refusal must name
 * (test/workerd/worker.test.ts checks the message, test/worker-start.test.ts the real start).
 */
export const REFUSED_YAML = [
  'allowPrivateNetworks: true',
  'registries:',
  '  - name: internal',
  '    url: https://git.internal.example/apps.git',
  '    caCert: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"',
  'deploymentRepositories:',
  '  - name: here',
  '    provider: local',
].join('\n');

/** Its password must appear in no refusal. */
export const REFUSED_DATABASE_URL = 'postgres://bridge:s3cret-password@db.example/margo';
export const REFUSED_PASSWORD = 's3cret-password';

export const REFUSED_REASONS = [
  'DATABASE_URL',
  'allowPrivateNetworks',
  'registries[0] (internal).caCert',
  "deploymentRepositories[0] (here): 'local' repositories need a disk",
];
