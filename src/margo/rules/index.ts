/**
 * Rules that depend on the detected shape or on several fields (docs/specification.md §1.2, §2, §3),
 * one file per concern. They read the raw document (for exact paths); `description` is the
 * normalised view of it. The order below is the order of the findings, which reports and tests
 * rely on.
 */
import type { IssueList } from '../issues.js';
import type { Description, Shape } from '../model.js';
import { checkCatalogFiles } from './catalog-files.js';
import { checkConfiguration } from './configuration.js';
import { checkApiVersion, checkExtensions, checkIdPlace } from './document.js';
import { checkPlaceholders } from './placeholders.js';
import { checkProfiles } from './profiles.js';
import { checkParameters } from './references.js';
import { checkDefaults, checkListTargets } from './settings.js';

export interface RuleOptions {
  /** Whether a package-relative path exists; without it catalog files are not checked. */
  fileExists?: (relativePath: string) => boolean;
}

export function checkDescriptionRules(
  raw: Record<string, unknown>,
  shape: Shape,
  description: Description | null,
  issues: IssueList,
  options: RuleOptions = {},
): void {
  checkApiVersion(raw, issues);
  checkIdPlace(raw, shape, issues);
  checkExtensions(raw, [], issues);
  const components = checkProfiles(raw, shape, issues);
  checkParameters(raw, components, issues);
  checkConfiguration(raw, issues);
  checkPlaceholders(raw, issues);
  if (options.fileExists) checkCatalogFiles(raw, options.fileExists, issues);
  if (description) {
    checkDefaults(description, issues);
    checkListTargets(description, issues);
  }
}
