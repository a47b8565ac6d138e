/**
 * Shape detection (docs/specification.md §1.1, D-1): the first matching row wins. A description is
 * recognised by its content, never by its file name.
 */
import type { Shape } from './model.js';

export type Detection =
  | { kind: 'description'; shape: Shape }
  | { kind: 'deployment' }
  | { kind: 'unsupported'; message: string }
  | { kind: 'not-margo'; message: string };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty document';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value} value`;
}

export function detectShape(value: unknown): Detection {
  if (!isRecord(value)) {
    return { kind: 'not-margo', message: `found ${describeValue(value)}; a Margo document is a mapping` };
  }
  const kind = value.kind;
  const spec = isRecord(value.spec) ? value.spec : undefined;
  if (kind === 'ApplicationDeployment' || (kind === undefined && spec?.deploymentProfile !== undefined)) {
    return { kind: 'deployment' };
  }
  const hasProfiles = value.deploymentProfiles !== undefined;
  if (
    !hasProfiles &&
    (value.apiVersion === 'margo.dev/v1' ||
      spec?.['helm-chart'] !== undefined ||
      spec?.['docker-compose'] !== undefined)
  ) {
    return {
      kind: 'unsupported',
      message:
        'this is the obsolete May 2024 shape (V0: apiVersion margo.dev/v1, spec.helm-chart/spec.docker-compose); ' +
        'rewrite it with deploymentProfiles (shapes V1 to V5)',
    };
  }
  if (kind === 'application') return { kind: 'description', shape: 'V1' };
  if (kind === 'ApplicationDescription') {
    if (value.id !== undefined) return { kind: 'description', shape: 'V4' };
    const profiles = Array.isArray(value.deploymentProfiles) ? value.deploymentProfiles : [];
    if (profiles.some((profile) => isRecord(profile) && profile.id !== undefined)) {
      return { kind: 'description', shape: 'V3' };
    }
    return { kind: 'description', shape: 'V2' };
  }
  if (kind === undefined && value.metadata !== undefined && hasProfiles) return { kind: 'description', shape: 'V5' };
  if (kind !== undefined) {
    return {
      kind: 'not-margo',
      message: `found kind ${typeof kind === 'string' ? kind : JSON.stringify(kind)}; expected an application description (kind ApplicationDescription or application, or no kind with metadata and deploymentProfiles) or kind ApplicationDeployment`,
    };
  }
  const keys = Object.keys(value);
  return {
    kind: 'not-margo',
    message: `not a Margo application description: found the top-level keys ${keys.length ? keys.join(', ') : '(none)'}; expected apiVersion, metadata and deploymentProfiles`,
  };
}
