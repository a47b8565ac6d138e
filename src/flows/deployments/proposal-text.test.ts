import { describe, expect, it } from 'vitest';
import { commitMessage, type ProposalSubject, proposalBody, proposalMarker, proposalTitle } from './proposal-text.js';
import { MASK } from './sensitive.js';

const subject = (overrides: Partial<ProposalSubject> = {}): ProposalSubject => ({
  action: 'deploy',
  deploymentId: '0b5a4c1e-9f1e-4d8e-9a65-1f2e3d4c5b6a',
  applicationId: 'com-example-app',
  applicationName: 'Example | App',
  version: '1.2.0',
  profile: 'helm',
  target: 'plant-a/line-3',
  namespace: 'margo',
  name: 'app',
  values: { replicas: 2, password: 'p@ss|word', note: 'two\nlines' },
  hidden: new Set(['password']),
  warnings: [{ code: 'POINTER_NAMESPACE', message: 'a warning' }],
  ...overrides,
});

describe('proposal text', () => {
  it.each([
    ['deploy', 'feat(plant-a/line-3): deploy com-example-app 1.2.0'],
    ['update', 'fix(plant-a/line-3): update app settings'],
    ['upgrade', 'chore(plant-a/line-3): upgrade com-example-app to 1.2.0'],
    ['remove', 'chore(plant-a/line-3): remove app'],
  ] as const)('titles a %s conventionally', (action, title) => {
    expect(proposalTitle(subject({ action }), null)).toBe(title);
  });

  it('fills a configured pattern, keeping unknown placeholders and one line', () => {
    expect(proposalTitle(subject(), '[{target}] {application}@{version} {unknown}\nx')).toBe(
      '[plant-a/line-3] com-example-app@1.2.0 {unknown} x',
    );
  });

  it('writes a body with a values table that masks hidden values, warnings and the marker', () => {
    const body = proposalBody(subject({ catalogueUrl: 'https://mb.example/app' }));
    expect(body).toContain('| Version | [1.2.0](https://mb.example/app) |');
    expect(body).toContain(`| \`password\` | ${MASK} |`);
    expect(body).not.toContain('p@ss');
    expect(body).toContain('| `note` | two lines |');
    expect(body).toContain('Deploys **Example | App** to target `plant-a/line-3`.');
    expect(body).toContain('- `POINTER_NAMESPACE`: a warning');
    expect(body).toContain(proposalMarker('0b5a4c1e-9f1e-4d8e-9a65-1f2e3d4c5b6a'));
    expect(proposalBody(subject({ action: 'remove' }))).not.toContain('### Values');
  });

  it('names the deployment in the commit message', () => {
    expect(commitMessage('t', subject())).toBe(
      't\n\nmargo-bridge deployment 0b5a4c1e-9f1e-4d8e-9a65-1f2e3d4c5b6a (com-example-app 1.2.0, profile helm)\n',
    );
  });
});
