/**
 * Component properties per profile type: which of packageLocation or repository and revision a
 * type needs, absolute URLs, and the OCI and SemVer forms.
 */
import type { DocPath, IssueList } from '../issues.js';
import type { Shape } from '../model.js';
import { ABSOLUTE_URL, OCI_REPOSITORY, PLACEHOLDER, SEMVER } from '../patterns.js';

export function checkComponentProperties(
  properties: Record<string, unknown>,
  path: DocPath,
  type: string,
  shape: Shape,
  issues: IssueList,
): void {
  const has = (key: string) => properties[key] !== undefined;
  const ociForm = has('repository') || has('revision');
  if (type === 'compose' && has('packageLocation') && ociForm) {
    issues.error('RULE', path, 'a compose component has either packageLocation or repository and revision, not both');
  } else if (type === 'compose' && !ociForm) {
    if (!has('packageLocation')) {
      issues.error(
        'REQUIRED',
        [...path, 'packageLocation'],
        'a compose component needs packageLocation, or repository and revision',
      );
    }
  } else {
    for (const key of ['repository', 'revision']) {
      if (!has(key)) {
        issues.error(
          'REQUIRED',
          [...path, key],
          `a ${type} component needs ${key}${type === 'compose' ? ' with repository' : ''}`,
        );
      }
    }
  }
  if (has('packageLocation') && shape === 'V5') {
    issues.warning(
      'LEGACY_SPELLING',
      [...path, 'packageLocation'],
      'packageLocation is the V1–V4 compose form; V5 uses repository and revision',
      'key',
    );
  }
  for (const key of ['packageLocation', 'keyLocation']) {
    const value = properties[key];
    if (typeof value === 'string' && !PLACEHOLDER.test(value) && !ABSOLUTE_URL.test(value)) {
      issues.error(
        'PATTERN',
        [...path, key],
        `${key} '${value}' must be an absolute URL (for example https://example.com/app.tar.gz)`,
      );
    }
  }
  // the OCI and SemVer forms are binding in V5; earlier shapes only described them in prose.
  const repository = properties.repository;
  if (typeof repository === 'string' && !PLACEHOLDER.test(repository) && !OCI_REPOSITORY.test(repository)) {
    const message = `repository '${repository}' should be an OCI reference starting with oci://`;
    if (shape === 'V5') issues.error('PATTERN', [...path, 'repository'], message);
    else issues.warning('PATTERN', [...path, 'repository'], message);
  }
  const revision = properties.revision;
  if (revision !== undefined && !PLACEHOLDER.test(String(revision)) && !SEMVER.test(String(revision))) {
    const message = `revision '${String(revision)}' should be a SemVer 2.0 version without a leading v (build metadata written with _)`;
    if (shape === 'V5') issues.error('PATTERN', [...path, 'revision'], message);
    else issues.warning('PATTERN', [...path, 'revision'], message);
  }
}
