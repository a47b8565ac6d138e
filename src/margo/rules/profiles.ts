/**
 * Deployment profiles and their components: type spellings foreign to the shape, profile
 * ids, requirement spellings, duplicate names. Returns where each component is defined, which the
 * parameter rules need (R3, R8).
 */
import { isRecord } from '../detect.js';
import type { DocPath, IssueList } from '../issues.js';
import type { Shape } from '../model.js';
import { normaliseProfileType } from '../normalise.js';
import { checkComponentProperties } from './components.js';
import { checkExtensions } from './document.js';
import { entries, rec } from './raw.js';

/** Which written type spellings belong to which shape; others get LEGACY_SPELLING. */
const nativeTypes: Record<Shape, readonly string[]> = {
  V1: ['helm.v3', 'docker-compose'],
  V2: ['helm.v3', 'compose'],
  V3: ['helm', 'helm.v3', 'compose'],
  V4: ['helm', 'compose'],
  V5: ['helm', 'compose', 'custom'],
};

export interface KnownComponent {
  profile: number;
  type: string | undefined;
}

/** Profiles and components; returns where each component name is defined (for R3 and R8). */
export function checkProfiles(
  raw: Record<string, unknown>,
  shape: Shape,
  issues: IssueList,
): Map<string, KnownComponent[]> {
  const components = new Map<string, KnownComponent[]>();
  const profileIds = new Map<string, number>();
  entries(raw.deploymentProfiles).forEach((entry, p) => {
    const profile = rec(entry);
    const path: DocPath = ['deploymentProfiles', p];
    checkExtensions(profile, path, issues);
    const written = profile.type;
    const type = normaliseProfileType(written);
    if (typeof written === 'string' && type && !nativeTypes[shape].includes(written)) {
      issues.warning(
        'LEGACY_SPELLING',
        [...path, 'type'],
        `profile type '${written}' is not the spelling of shape ${shape} (${nativeTypes[shape].join(', ')}); read as '${type}'`,
      );
    }
    if (shape === 'V3' || shape === 'V4' || shape === 'V5') {
      if (profile.id === undefined) issues.error('REQUIRED', [...path, 'id'], `shape ${shape} requires a profile id`);
    }
    if (typeof profile.id === 'string') {
      const first = profileIds.get(profile.id);
      if (first !== undefined) {
        issues.error(
          'DUPLICATE',
          [...path, 'id'],
          `profile id '${profile.id}' is already used by profile ${first + 1}`,
        );
      } else profileIds.set(profile.id, p);
    }
    checkRequirementsSpelling(profile, path, shape, issues);
    const names = new Set<string>();
    entries(profile.components).forEach((item, c) => {
      const component = rec(item);
      const componentPath: DocPath = [...path, 'components', c];
      checkExtensions(component, componentPath, issues);
      if (typeof component.name === 'string') {
        if (names.has(component.name)) {
          issues.error(
            'DUPLICATE',
            [...componentPath, 'name'],
            `component name '${component.name}' repeats in this profile`,
          );
        }
        names.add(component.name);
        const known = components.get(component.name) ?? [];
        known.push({ profile: p, type });
        components.set(component.name, known);
      }
      if (isRecord(component.properties) && type) {
        checkComponentProperties(component.properties, [...componentPath, 'properties'], type, shape, issues);
      }
    });
  });
  return components;
}

function checkRequirementsSpelling(
  profile: Record<string, unknown>,
  path: DocPath,
  shape: Shape,
  issues: IssueList,
): void {
  if (profile.requiredResources !== undefined && (shape === 'V1' || shape === 'V2' || shape === 'V5')) {
    issues.warning(
      'LEGACY_SPELLING',
      [...path, 'requiredResources'],
      `requiredResources is not part of shape ${shape}${shape === 'V5' ? ' (V5 writes deviceConstraints)' : ''}`,
      'key',
    );
  }
  if (profile.deviceConstraints !== undefined && shape !== 'V5') {
    issues.warning(
      'LEGACY_SPELLING',
      [...path, 'deviceConstraints'],
      `deviceConstraints is the V5 spelling; this is ${shape}`,
      'key',
    );
  }
}
