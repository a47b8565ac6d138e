/** catalog files are paths inside the package; a missing or escaping one is a warning. */
import type { DocPath, IssueList } from '../issues.js';
import { PLACEHOLDER } from '../patterns.js';
import { rec } from './raw.js';

/** The `metadata.catalog.application` keys that name a file of the package. */
export const CATALOG_FILES = ['descriptionFile', 'icon', 'licenseFile', 'releaseNotes'] as const;

export function checkCatalogFiles(
  raw: Record<string, unknown>,
  fileExists: (path: string) => boolean,
  issues: IssueList,
): void {
  const application = rec(rec(rec(raw.metadata).catalog).application);
  for (const key of CATALOG_FILES) {
    const value = application[key];
    if (typeof value !== 'string' || PLACEHOLDER.test(value)) continue;
    const path: DocPath = ['metadata', 'catalog', 'application', key];
    const relative = packagePath(value);
    if (relative === null) {
      issues.warning('CATALOG_FILE', path, `${key} '${value}' must be a relative path inside the package`);
    } else if (!fileExists(relative)) {
      issues.warning('CATALOG_FILE', path, `${key} '${value}' is not in the package`);
    }
  }
}

/** `./resources/a.png` → `resources/a.png`; null for absolute paths, URLs and paths leaving the package. */
export function packagePath(value: string): string | null {
  if (value.startsWith('/') || value.includes('\\') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value)) return null;
  const parts: string[] = [];
  for (const part of value.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return null;
    parts.push(part);
  }
  return parts.length > 0 ? parts.join('/') : null;
}
