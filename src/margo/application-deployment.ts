/**
 * Reading an ApplicationDeployment (docs/specification.md §5.1, shapes D1–D5): the corpus holds
 * deployments, and updates read the existing file. Returns the detected shape.
 */
import { isRecord } from './detect.js';
import type { DocPath, IssueList } from './issues.js';
import { ABSOLUTE_URL } from './patterns.js';

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const APPLICATION_ID = /^[-a-z0-9]{1,200}$/;
export const DEVICE_ID = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*(\/\*)?$/;
export const PROFILE_TYPES = ['helm', 'helm.v3', 'compose', 'docker-compose', 'custom'];

export type DeploymentShape = 'D1' | 'D3' | 'D4' | 'D5';

function rec(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function deploymentShape(raw: Record<string, unknown>): DeploymentShape {
  if (raw.apiVersion === undefined && raw.kind === undefined) return 'D5';
  if (raw.id !== undefined && rec(raw.spec).applicationId !== undefined) return 'D4';
  if (raw.id !== undefined) return 'D3';
  return 'D1';
}

function requireText(value: unknown, path: DocPath, what: string, issues: IssueList): value is string {
  if (value === undefined || value === null) {
    issues.error('REQUIRED', path, `${what} is required`);
    return false;
  }
  if (typeof value !== 'string') {
    issues.error('TYPE', path, `${what} must be text`);
    return false;
  }
  return true;
}

function checkPattern(value: unknown, pattern: RegExp, path: DocPath, what: string, issues: IssueList): void {
  if (requireText(value, path, what, issues) && !pattern.test(value)) {
    issues.error(
      'PATTERN',
      path,
      `${what} '${value.length > 60 ? `${value.slice(0, 60)}…` : value}' does not match ${pattern.source}`,
    );
  }
}

export function validateDeployment(raw: Record<string, unknown>, issues: IssueList): DeploymentShape {
  const shape = deploymentShape(raw);
  const metadata = rec(raw.metadata);
  const annotations = rec(metadata.annotations);
  const spec = rec(raw.spec);
  if (raw.kind !== undefined && raw.apiVersion === undefined)
    issues.error('REQUIRED', ['apiVersion'], 'apiVersion is required');
  if (spec.appPackageRef !== undefined) {
    issues.error(
      'UNSUPPORTED_SHAPE',
      ['spec', 'appPackageRef'],
      'spec.appPackageRef is a margo/sandbox form of ApplicationDeployment; write the application id as metadata.annotations.applicationId (or spec.applicationId)',
      'key',
    );
  }
  if (!isRecord(raw.metadata)) issues.error('REQUIRED', ['metadata'], 'metadata is required');
  else requireText(metadata.name, ['metadata', 'name'], 'metadata.name', issues);

  // Deployment id and application id, by shape (A-40: either place is read; equal if both).
  if (shape === 'D1') {
    checkPattern(annotations.id, UUID, ['metadata', 'annotations', 'id'], 'the deployment id (a UUID)', issues);
  } else {
    checkPattern(raw.id, UUID, ['id'], 'the deployment id (a UUID)', issues);
    if (annotations.id !== undefined && annotations.id !== raw.id) {
      issues.error('RULE', ['metadata', 'annotations', 'id'], 'metadata.annotations.id differs from the top-level id');
    }
  }
  if (shape === 'D4' || shape === 'D5') {
    checkPattern(spec.applicationId, APPLICATION_ID, ['spec', 'applicationId'], 'spec.applicationId', issues);
  } else {
    checkPattern(
      annotations.applicationId,
      APPLICATION_ID,
      ['metadata', 'annotations', 'applicationId'],
      'metadata.annotations.applicationId',
      issues,
    );
  }
  if (shape === 'D5') {
    requireText(metadata.namespace, ['metadata', 'namespace'], 'metadata.namespace', issues);
    checkPattern(metadata.deviceId, DEVICE_ID, ['metadata', 'deviceId'], 'metadata.deviceId', issues);
  }

  if (!isRecord(raw.spec)) {
    issues.error('REQUIRED', ['spec'], 'spec is required');
    return shape;
  }
  const names = checkDeploymentProfile(spec.deploymentProfile, issues);
  checkDeploymentParameters(spec.parameters, names, issues);
  return shape;
}

function checkDeploymentProfile(value: unknown, issues: IssueList): Set<string> {
  const names = new Set<string>();
  const path: DocPath = ['spec', 'deploymentProfile'];
  if (!isRecord(value)) {
    issues.error(
      value === undefined ? 'REQUIRED' : 'TYPE',
      path,
      'spec.deploymentProfile must be a mapping with type and components',
    );
    return names;
  }
  if (requireText(value.type, [...path, 'type'], 'the profile type', issues) && !PROFILE_TYPES.includes(value.type)) {
    issues.error('ENUM', [...path, 'type'], `profile type '${value.type}' is not one of ${PROFILE_TYPES.join(', ')}`);
  }
  if (!Array.isArray(value.components) || value.components.length === 0) {
    issues.error('REQUIRED', [...path, 'components'], 'the profile needs at least one component');
    return names;
  }
  value.components.forEach((item, c) => {
    const component = rec(item);
    const componentPath: DocPath = [...path, 'components', c];
    if (requireText(component.name, [...componentPath, 'name'], 'the component name', issues))
      names.add(component.name);
    if (!isRecord(component.properties)) {
      issues.error('REQUIRED', [...componentPath, 'properties'], 'component properties are required');
      return;
    }
    const location = component.properties.packageLocation;
    if (location !== undefined && (typeof location !== 'string' || !ABSOLUTE_URL.test(location))) {
      issues.error(
        'PATTERN',
        [...componentPath, 'properties', 'packageLocation'],
        'packageLocation must be an absolute URL',
      );
    }
  });
  return names;
}

function checkDeploymentParameters(value: unknown, components: Set<string>, issues: IssueList): void {
  const path: DocPath = ['spec', 'parameters'];
  if (!isRecord(value)) {
    issues.error(
      value === undefined ? 'REQUIRED' : 'TYPE',
      path,
      'spec.parameters must be a mapping (it may be empty: {})',
    );
    return;
  }
  for (const [name, entry] of Object.entries(value)) {
    const parameter = rec(entry);
    if (!Array.isArray(parameter.targets) || parameter.targets.length === 0) {
      issues.error('REQUIRED', [...path, name, 'targets'], `parameter ${name} needs at least one target`);
      continue;
    }
    parameter.targets.forEach((item, t) => {
      const target = rec(item);
      const targetPath: DocPath = [...path, name, 'targets', t];
      requireText(target.pointer, [...targetPath, 'pointer'], 'the target pointer', issues);
      if (!Array.isArray(target.components) || target.components.length === 0) {
        issues.error('REQUIRED', [...targetPath, 'components'], 'the target needs at least one component');
        return;
      }
      target.components.forEach((component, c) => {
        if (typeof component !== 'string' || !components.has(component)) {
          issues.error(
            'REFERENCE',
            [...targetPath, 'components', c],
            `target component ${String(component)} is not a component of spec.deploymentProfile`,
          );
        }
      });
    });
  }
}
