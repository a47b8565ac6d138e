/**
 * Rules that depend on the detected shape or on several fields (margo-reference §1.2, §2, §3):
 * id place, spellings foreign to the shape, component properties per type,
 * cross-references R1–R3, duplicates R4, select options R5, rule bounds R6, regexMatch R7,
 * pointer conflicts R8 (D-8), placeholders R9 (D-11), compose namespaces (D-7).
 * They read the raw document (for exact paths); `description` is the normalised view of it.
 */
import { isRecord } from './detect.js';
import type { DocPath, IssueList } from './issues.js';
import type { Description, SchemaEntry, Shape } from './model.js';
import { normaliseProfileType } from './normalise.js';
import { parseComposePointer, parseHelmPointer } from './pointer.js';
import { EXTENSION_KEY } from './raw-schema.js';
import { compileRegex } from './regex.js';
import { checkDefault, itemTypeOf } from './values.js';

const KNOWN_API_VERSIONS = ['margo.org/v1-alpha1', 'margo.org/v1alpha1', 'application.margo.org/v1alpha1', 'v1'];
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:_([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const OCI_REPOSITORY = /^oci:\/\/.+/;
export const ABSOLUTE_URL = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s/]+\S*$/;
export const PLACEHOLDER = /\{\{.*?\}\}|<[^<>]*>/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Which written type spellings belong to which shape; others get LEGACY_SPELLING. */
const nativeTypes: Record<Shape, readonly string[]> = {
  V1: ['helm.v3', 'docker-compose'],
  V2: ['helm.v3', 'compose'],
  V3: ['helm', 'helm.v3', 'compose'],
  V4: ['helm', 'compose'],
  V5: ['helm', 'compose', 'custom'],
};

function entries(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function rec(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

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

/** list values have no defined compose form (issue #168), so a list setting may not target compose. */
function checkListTargets(description: Description, issues: IssueList): void {
  const composeComponents = new Set(
    description.profiles.filter((p) => p.type === 'compose').flatMap((p) => p.components.map((c) => c.name)),
  );
  for (const section of description.configuration?.sections ?? []) {
    for (const setting of section.settings) {
      const schema = description.configuration?.schema.find((entry) => entry.name === setting.schema);
      const isList =
        schema && (schema.dataType.startsWith('array[') || (schema.options && schema.multiselect === true));
      if (!isList) continue;
      description.parameters[setting.parameter]?.targets.forEach((target, t) => {
        const compose = target.components.find((name) => composeComponents.has(name));
        if (compose) {
          issues.error(
            'RULE',
            ['parameters', setting.parameter, 'targets', t],
            `parameter ${setting.parameter} holds a list, which has no environment-variable form yet; it cannot target compose component ${compose}`,
          );
        }
      });
    }
  }
}

function checkApiVersion(raw: Record<string, unknown>, issues: IssueList): void {
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
function checkIdPlace(raw: Record<string, unknown>, shape: Shape, issues: IssueList): void {
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

function checkExtensions(node: Record<string, unknown>, path: DocPath, issues: IssueList): void {
  for (const [key, value] of Object.entries(node)) {
    if (EXTENSION_KEY.test(key) && !isRecord(value)) {
      issues.error('TYPE', [...path, key], `extension ${key} must be a mapping`);
    }
  }
}

interface KnownComponent {
  profile: number;
  type: string | undefined;
}

/** Profiles and components; returns where each component name is defined (for R3 and R8). */
function checkProfiles(raw: Record<string, unknown>, shape: Shape, issues: IssueList): Map<string, KnownComponent[]> {
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

function checkComponentProperties(
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

function checkParameters(
  raw: Record<string, unknown>,
  components: Map<string, KnownComponent[]>,
  issues: IssueList,
): void {
  /** Helm paths and env names written per (profile, component): R8 and A-45 collisions. */
  const written = new Map<string, { segments: (string | number)[]; where: DocPath; parameter: string }[]>();
  const envNames = new Map<string, { where: DocPath; parameter: string }>();
  for (const [name, entry] of Object.entries(rec(raw.parameters))) {
    entries(rec(entry).targets).forEach((item, t) => {
      const target = rec(item);
      const where: DocPath = ['parameters', name, 'targets', t];
      const pointer = target.pointer;
      entries(target.components).forEach((componentName, c) => {
        if (typeof componentName !== 'string') return;
        const known = components.get(componentName);
        if (!known) {
          issues.error(
            'REFERENCE',
            [...where, 'components', c],
            `target component '${componentName}' is not the name of a component in any deployment profile`,
          );
          return;
        }
        if (typeof pointer !== 'string' || pointer === '' || PLACEHOLDER.test(pointer)) return;
        for (const { profile, type } of known) {
          const key = `${profile}\u0000${componentName}`;
          if (type === 'helm') checkHelmTarget(pointer, key, where, name, written, issues);
          else if (type === 'compose') checkComposeTarget(pointer, key, where, name, envNames, issues);
        }
      });
    });
  }
}

function checkHelmTarget(
  pointer: string,
  key: string,
  where: DocPath,
  parameter: string,
  written: Map<string, { segments: (string | number)[]; where: DocPath; parameter: string }[]>,
  issues: IssueList,
): void {
  const parsed = parseHelmPointer(pointer);
  if (!parsed.ok) {
    issues.error('PATTERN', [...where, 'pointer'], `Helm pointer ${parsed.message}`);
    return;
  }
  const previous = written.get(key) ?? [];
  for (const other of previous) {
    if (other.where.join('\u0000') === where.join('\u0000')) return;
    const shorter = Math.min(other.segments.length, parsed.segments.length);
    if (other.segments.slice(0, shorter).every((segment, i) => segment === parsed.segments[i])) {
      issues.error(
        'POINTER_CONFLICT',
        [...where, 'pointer'],
        `pointer '${pointer}' of parameter ${parameter} writes the same Helm path as (or a path inside) the one of parameter ${other.parameter} on component ${key.split('\u0000')[1]}`,
      );
      return;
    }
  }
  previous.push({ segments: parsed.segments, where, parameter });
  written.set(key, previous);
}

function checkComposeTarget(
  pointer: string,
  key: string,
  where: DocPath,
  parameter: string,
  envNames: Map<string, { where: DocPath; parameter: string }>,
  issues: IssueList,
): void {
  const parsed = parseComposePointer(pointer);
  if (!parsed.ok) {
    issues.warning(
      'POINTER_NAMESPACE',
      [...where, 'pointer'],
      `${parsed.message}; this target is not written to the env file`,
    );
    return;
  }
  if (!ENV_NAME.test(parsed.name)) {
    issues.error(
      'PATTERN',
      [...where, 'pointer'],
      `'${parsed.name}' is not a valid environment variable name (letters, digits, _; not starting with a digit)`,
    );
    return;
  }
  const envKey = `${key}\u0000${parsed.name}`;
  const other = envNames.get(envKey);
  if (other && other.where.join('\u0000') !== where.join('\u0000')) {
    issues.error(
      'POINTER_CONFLICT',
      [...where, 'pointer'],
      `environment variable ${parsed.name} of parameter ${parameter} is also written by parameter ${other.parameter} on component ${key.split('\u0000')[1]}`,
    );
  } else envNames.set(envKey, { where, parameter });
}

/** Which rules fit which data type (A-56: others are ignored with a warning). */
const fittingRules: Record<string, readonly string[]> = {
  string: ['minLength', 'maxLength', 'regexMatch'],
  integer: ['minValue', 'maxValue'],
  double: ['minValue', 'maxValue', 'minPrecision', 'maxPrecision'],
  boolean: [],
};
const ruleKeys = ['minLength', 'maxLength', 'regexMatch', 'minValue', 'maxValue', 'minPrecision', 'maxPrecision'];

function checkConfiguration(raw: Record<string, unknown>, issues: IssueList): void {
  const configuration = rec(raw.configuration);
  const parameters = rec(raw.parameters);
  const schemaNames = new Map<string, number>();
  entries(configuration.schema).forEach((item, s) => {
    const entry = rec(item);
    const path: DocPath = ['configuration', 'schema', s];
    if (typeof entry.name === 'string') {
      const first = schemaNames.get(entry.name);
      if (first !== undefined)
        issues.error('DUPLICATE', [...path, 'name'], `schema name '${entry.name}' is already used`);
      else schemaNames.set(entry.name, s);
    }
    checkSchemaEntry(entry as Partial<SchemaEntry>, path, issues);
  });
  const settingOf = new Map<string, DocPath>();
  entries(configuration.sections).forEach((sectionItem, si) => {
    entries(rec(sectionItem).settings).forEach((item, i) => {
      const setting = rec(item);
      const path: DocPath = ['configuration', 'sections', si, 'settings', i];
      if (typeof setting.parameter === 'string') {
        if (!(setting.parameter in parameters)) {
          issues.error(
            'REFERENCE',
            [...path, 'parameter'],
            `setting parameter '${setting.parameter}' is not defined under parameters`,
          );
        } else if (settingOf.has(setting.parameter)) {
          issues.error('DUPLICATE', [...path, 'parameter'], `parameter '${setting.parameter}' already has a setting`);
        } else settingOf.set(setting.parameter, path);
      }
      if (typeof setting.schema === 'string' && !schemaNames.has(setting.schema)) {
        issues.error(
          'REFERENCE',
          [...path, 'schema'],
          `setting schema '${setting.schema}' is not defined under configuration.schema`,
        );
      }
    });
  });
  // a parameter without a setting is not editable; without a default it has nothing to write.
  for (const [name, entry] of Object.entries(parameters)) {
    if (!settingOf.has(name) && isEmpty(rec(entry).value)) {
      issues.warning(
        'UNREFERENCED',
        ['parameters', name],
        `parameter ${name} has no setting and no default, so it is never written`,
        'key',
      );
    }
  }
}

function sameType(option: unknown, type: string): boolean {
  if (type === 'string') return typeof option === 'string';
  if (type === 'integer') return typeof option === 'number' && Number.isInteger(option);
  if (type === 'double') return typeof option === 'number';
  if (type === 'boolean') return typeof option === 'boolean';
  return false;
}

function checkSchemaEntry(entry: Partial<SchemaEntry>, path: DocPath, issues: IssueList): void {
  const dataType = typeof entry.dataType === 'string' ? entry.dataType : undefined;
  const type = dataType ? itemTypeOf(dataType) : undefined;
  const name = typeof entry.name === 'string' ? entry.name : `entry ${String(path[path.length - 1])}`;
  if (Array.isArray(entry.options) && type && type in fittingRules) {
    entry.options.forEach((option, o) => {
      if (!sameType(option, type)) {
        issues.error(
          'TYPE',
          [...path, 'options', o],
          `option ${JSON.stringify(option)} of schema ${name} is not of type ${type}`,
        );
      }
    });
  }
  for (const [min, max] of [
    ['minLength', 'maxLength'],
    ['minValue', 'maxValue'],
    ['minPrecision', 'maxPrecision'],
  ] as const) {
    const low = entry[min];
    const high = entry[max];
    if (typeof low === 'number' && typeof high === 'number' && low > high) {
      issues.error('RULE', [...path, min], `${min} ${low} of schema ${name} is greater than ${max} ${high}`);
    }
  }
  if (type === 'integer') {
    for (const key of ['minValue', 'maxValue'] as const) {
      const value = entry[key];
      if (typeof value === 'number' && !Number.isInteger(value)) {
        issues.error('RULE', [...path, key], `${key} of integer schema ${name} must be a whole number`);
      }
    }
  }
  if (typeof entry.regexMatch === 'string') {
    const compiled = compileRegex(entry.regexMatch);
    if (!compiled.ok) {
      issues.error(
        'REGEX_COMPILE',
        [...path, 'regexMatch'],
        `regexMatch of schema ${name} does not compile: ${compiled.message}`,
      );
    }
  }
  if (type && type in fittingRules && !Array.isArray(entry.options)) {
    const fits = fittingRules[type] ?? [];
    for (const key of ruleKeys) {
      if ((entry as Record<string, unknown>)[key] !== undefined && !fits.includes(key)) {
        issues.warning('RULE', [...path, key], `${key} does not apply to dataType ${dataType} and is ignored`, 'key');
      }
    }
  }
}

/** R9/D-11: places that must hold concrete values, never template placeholders. */
function checkPlaceholders(raw: Record<string, unknown>, issues: IssueList): void {
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
  for (const key of ['descriptionFile', 'icon', 'licenseFile', 'releaseNotes']) {
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

/** a default that fails its own schema is a warning; the form shows the field invalid. */
function checkDefaults(description: Description, issues: IssueList): void {
  for (const section of description.configuration?.sections ?? []) {
    for (const setting of section.settings) {
      const problem = checkDefault(description, setting);
      if (problem) {
        issues.warning(
          problem.code,
          ['parameters', setting.parameter, 'value'],
          `the default of parameter ${setting.parameter} fails its setting ${setting.name} (section ${section.name}): it ${problem.message}`,
        );
      }
    }
  }
}

const CATALOG_FILES = ['descriptionFile', 'icon', 'licenseFile', 'releaseNotes'] as const;

/** catalog files are paths inside the package; a missing or escaping one is a warning. */
function checkCatalogFiles(
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
