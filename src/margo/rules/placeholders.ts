/** R9/D-11: places that must hold concrete values, never template placeholders. */
import type { DocPath, IssueList } from '../issues.js';
import { PLACEHOLDER } from '../patterns.js';
import { CATALOG_FILES } from './catalog-files.js';
import { entries, rec } from './raw.js';

export function checkPlaceholders(raw: Record<string, unknown>, issues: IssueList): void {
  const check = (value: unknown, path: DocPath) => {
    if (typeof value === 'string' && PLACEHOLDER.test(value)) {
      const found = PLACEHOLDER.exec(value)?.[0] ?? value;
      issues.error('PLACEHOLDER', path, `unresolved template placeholder ${found}: replace it with a concrete value`);
    }
  };
  check(raw.id, ['id']);
  const metadata = rec(raw.metadata);
  check(metadata.id, ['metadata', 'id']);
  check(metadata.version, ['metadata', 'version']);
  const application = rec(rec(metadata.catalog).application);
  for (const key of CATALOG_FILES) {
    check(application[key], ['metadata', 'catalog', 'application', key]);
  }
  entries(raw.deploymentProfiles).forEach((entry, p) => {
    const profile = rec(entry);
    check(profile.id, ['deploymentProfiles', p, 'id']);
    entries(profile.components).forEach((item, c) => {
      const component = rec(item);
      const path: DocPath = ['deploymentProfiles', p, 'components', c];
      check(component.name, [...path, 'name']);
      for (const [key, value] of Object.entries(rec(component.properties))) check(value, [...path, 'properties', key]);
    });
  });
  for (const [name, entry] of Object.entries(rec(raw.parameters))) {
    entries(rec(entry).targets).forEach((item, t) => {
      const target = rec(item);
      const path: DocPath = ['parameters', name, 'targets', t];
      check(target.pointer, [...path, 'pointer']);
      entries(target.components).forEach((component, c) => {
        check(component, [...path, 'components', c]);
      });
    });
  }
}
