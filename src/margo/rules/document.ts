/** Rules on the document as a whole: apiVersion, where the id lives, extension keys. */
import { isRecord } from '../detect.js';
import type { DocPath, IssueList } from '../issues.js';
import type { Shape } from '../model.js';
import { EXTENSION_KEY } from '../raw-schema.js';
import { rec } from './raw.js';

const KNOWN_API_VERSIONS = ['margo.org/v1-alpha1', 'margo.org/v1alpha1', 'application.margo.org/v1alpha1', 'v1'];

export function checkApiVersion(raw: Record<string, unknown>, issues: IssueList): void {
  const apiVersion = raw.apiVersion;
  if (typeof apiVersion === 'string' && !KNOWN_API_VERSIONS.includes(apiVersion)) {
    issues.warning(
      'VERSION',
      ['apiVersion'],
      `apiVersion '${apiVersion}' is not a known Margo value (${KNOWN_API_VERSIONS.join(', ')}); validated by its content`,
    );
  }
}

/** top-level `id` (V4+), else `metadata.id` (V1–V3); misplaced → warning; both and different → error. */
export function checkIdPlace(raw: Record<string, unknown>, shape: Shape, issues: IssueList): void {
  const top = raw.id;
  const inMetadata = rec(raw.metadata).id;
  const modern = shape === 'V4' || shape === 'V5';
  if (top === undefined && inMetadata === undefined) {
    issues.error(
      'REQUIRED',
      modern ? ['id'] : ['metadata', 'id'],
      `the application id is required (${modern ? 'top-level id' : 'metadata.id'})`,
    );
    return;
  }
  if (top !== undefined && inMetadata !== undefined && top !== inMetadata) {
    issues.error(
      'RULE',
      ['metadata', 'id'],
      `metadata.id '${String(inMetadata)}' differs from the top-level id '${String(top)}'`,
    );
    return;
  }
  if (!modern && inMetadata === undefined) {
    issues.warning(
      'LEGACY_SPELLING',
      ['id'],
      `shape ${shape} places the id in metadata.id, not at the top level`,
      'key',
    );
  } else if (modern && top === undefined) {
    issues.warning(
      'LEGACY_SPELLING',
      ['metadata', 'id'],
      `shape ${shape} places the id at the top level, not in metadata`,
      'key',
    );
  }
}

/** Extension keys (`x-<name>-extensions`) may hold anything, but only as a mapping. */
export function checkExtensions(node: Record<string, unknown>, path: DocPath, issues: IssueList): void {
  for (const [key, value] of Object.entries(node)) {
    if (EXTENSION_KEY.test(key) && !isRecord(value)) {
      issues.error('TYPE', [...path, key], `extension ${key} must be a mapping`);
    }
  }
}
