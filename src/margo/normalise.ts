/**
 * Normalisation (docs/specification.md §1.2): every accepted shape becomes one `Description`.
 * Tolerant by design: it runs on documents that have errors too, filling what is missing with
 * empty values, so that rules and reports can still refer to the rest of the document.
 */
import { isRecord } from './detect.js';
import type { DocPath } from './issues.js';
import {
  type Component,
  type Description,
  descriptionSchema,
  type Parameter,
  type Profile,
  type ProfileType,
  type Scalar,
  type SchemaEntry,
  type Section,
  type Shape,
  type Value,
} from './model.js';
import { EXTENSION_KEY } from './raw-schema.js';

export type SourceText = (path: DocPath) => string | undefined;

const typeSpellings: Record<string, ProfileType> = {
  helm: 'helm',
  'helm.v3': 'helm',
  compose: 'compose',
  'docker-compose': 'compose',
  custom: 'custom',
};

export function normaliseProfileType(written: unknown): ProfileType | undefined {
  return typeof written === 'string' ? typeSpellings[written] : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function optionalStr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function extensionsOf(value: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (EXTENSION_KEY.test(key) && isRecord(entry)) out[key] = entry;
  }
  return out;
}

/** The description's id by A-6: top-level `id`, else `metadata.id`. */
export function descriptionId(raw: Record<string, unknown>): unknown {
  return raw.id ?? record(raw.metadata).id;
}

/** A number keeps the digits as written (`1.0`, `2.10`); everything else is used as is. */
function textOf(value: unknown, path: DocPath, sourceText: SourceText): string {
  if (typeof value === 'number') return sourceText(path) ?? String(value);
  return str(value);
}

function normaliseComponent(raw: unknown, path: DocPath, sourceText: SourceText): Component {
  const component = record(raw);
  const properties: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(record(component.properties))) {
    if (!isScalar(value)) continue;
    properties[key] = key === 'revision' ? textOf(value, [...path, 'properties', key], sourceText) : value;
  }
  return { name: str(component.name), properties, extensions: extensionsOf(component) };
}

function normaliseProfiles(raw: unknown, shape: Shape, sourceText: SourceText): Profile[] {
  const seen = new Map<string, number>();
  return list(raw).map((entry, index) => {
    const profile = record(entry);
    const typeAsWritten = str(profile.type);
    const type = normaliseProfileType(typeAsWritten) ?? 'custom';
    let id = optionalStr(profile.id);
    if (id === undefined && (shape === 'V1' || shape === 'V2')) {
      const count = (seen.get(type) ?? 0) + 1;
      seen.set(type, count);
      id = count === 1 ? type : `${type}-${count}`;
    }
    const requirements = profile.requiredResources ?? profile.deviceConstraints;
    const path = ['deploymentProfiles', index];
    return {
      id: id ?? '',
      type,
      typeAsWritten,
      ...(optionalStr(profile.description) !== undefined ? { description: optionalStr(profile.description) } : {}),
      ...(isRecord(requirements) ? { requirements } : {}),
      components: list(profile.components).map((component, i) =>
        normaliseComponent(component, [...path, 'components', i], sourceText),
      ),
      extensions: extensionsOf(profile),
    };
  });
}

function normaliseDefault(value: unknown): Value | undefined {
  if (isScalar(value)) return value;
  if (Array.isArray(value) && value.every(isScalar)) return value;
  return undefined;
}

function normaliseParameters(raw: unknown, sourceText: SourceText): Record<string, Parameter> {
  const out: Record<string, Parameter> = {};
  for (const [name, entry] of Object.entries(record(raw))) {
    const parameter = record(entry);
    const value = normaliseDefault(parameter.value);
    const text = isScalar(parameter.value) ? sourceText(['parameters', name, 'value']) : undefined;
    out[name] = {
      name,
      ...(value !== undefined ? { default: value } : {}),
      ...(text !== undefined ? { defaultText: text } : {}),
      targets: list(parameter.targets).map((target) => {
        const t = record(target);
        return { pointer: str(t.pointer), components: list(t.components).map(str) };
      }),
    };
  }
  return out;
}

const numberRules = ['minLength', 'maxLength', 'minValue', 'maxValue', 'minPrecision', 'maxPrecision'] as const;

function normaliseSchemaEntry(raw: unknown): SchemaEntry {
  const entry = record(raw);
  const out: SchemaEntry = { name: str(entry.name), dataType: str(entry.dataType ?? entry.datatype) };
  if (typeof entry.allowEmpty === 'boolean') out.allowEmpty = entry.allowEmpty;
  for (const rule of numberRules) {
    const value = entry[rule];
    if (typeof value === 'number') out[rule] = value;
  }
  if (typeof entry.regexMatch === 'string') out.regexMatch = entry.regexMatch;
  if (Array.isArray(entry.options)) out.options = entry.options.filter(isScalar);
  if (typeof entry.multiselect === 'boolean') out.multiselect = entry.multiselect;
  return out;
}

function normaliseSections(raw: unknown): Section[] {
  return list(raw).map((entry) => {
    const section = record(entry);
    return {
      name: str(section.name),
      settings: list(section.settings).map((item) => {
        const setting = record(item);
        return {
          parameter: str(setting.parameter),
          name: str(setting.name),
          ...(optionalStr(setting.description) !== undefined ? { description: optionalStr(setting.description) } : {}),
          immutable: setting.immutable === true,
          schema: str(setting.schema),
        };
      }),
    };
  });
}

/** Returns null only when the result would not fit the model (the document is far from a description). */
export function normaliseDescription(
  raw: Record<string, unknown>,
  shape: Shape,
  sourceText: SourceText,
): Description | null {
  const metadata = record(raw.metadata);
  const catalog = record(metadata.catalog);
  const configuration = isRecord(raw.configuration) ? raw.configuration : undefined;
  const description: Description = {
    shape,
    apiVersion: str(raw.apiVersion),
    id: str(descriptionId(raw)),
    metadata: {
      name: str(metadata.name),
      ...(optionalStr(metadata.description) !== undefined ? { description: optionalStr(metadata.description) } : {}),
      version: textOf(metadata.version, ['metadata', 'version'], sourceText),
      catalog: {
        organization: list(catalog.organization).map((entry) => {
          const organization = record(entry);
          const site = optionalStr(organization.site);
          return { name: str(organization.name), ...(site !== undefined ? { site } : {}) };
        }),
        ...(Array.isArray(catalog.author)
          ? {
              author: catalog.author.map((entry) => {
                const author = record(entry);
                return {
                  ...(optionalStr(author.name) !== undefined ? { name: optionalStr(author.name) } : {}),
                  ...(optionalStr(author.email) !== undefined ? { email: optionalStr(author.email) } : {}),
                };
              }),
            }
          : {}),
        ...(isRecord(catalog.application) ? { application: catalogApplication(catalog.application) } : {}),
      },
    },
    profiles: normaliseProfiles(raw.deploymentProfiles, shape, sourceText),
    parameters: normaliseParameters(raw.parameters, sourceText),
    ...(configuration
      ? {
          configuration: {
            sections: normaliseSections(configuration.sections),
            schema: list(configuration.schema).map(normaliseSchemaEntry),
          },
        }
      : {}),
    extensions: extensionsOf(raw),
  };
  const checked = descriptionSchema.safeParse(description);
  return checked.success ? checked.data : null;
}

function catalogApplication(
  raw: Record<string, unknown>,
): NonNullable<Description['metadata']['catalog']['application']> {
  const out: NonNullable<Description['metadata']['catalog']['application']> = {};
  for (const key of ['descriptionFile', 'icon', 'licenseFile', 'releaseNotes', 'site', 'tagline'] as const) {
    const value = optionalStr(raw[key]);
    if (value !== undefined) out[key] = value;
  }
  if (Array.isArray(raw.tags)) out.tags = raw.tags.map(str);
  return out;
}
