/**
 * The application description as written (shapes V1–V5, margo-reference §2), in zod. It is the
 * single source of the structural checks (REQUIRED, TYPE, PATTERN, ENUM, UNKNOWN_KEY) and of the
 * JSON Schema editors use (`descriptionJsonSchema`). Shape-specific and cross-reference rules
 * live in rules/, because they depend on the detected shape or on several fields at once.
 */
import { z } from 'zod';
import { dataTypes } from './model.js';

export const ID_PATTERN = /^[a-z0-9-]{1,200}$/;
export const COMPONENT_NAME_PATTERN = /^[a-z0-9-]+$/;
export const TIMEOUT_PATTERN = /^\d+m\d+s$/;
export const EXTENSION_KEY = /^x-[a-z][a-z0-9-]*-extensions$/;

/** Every spelling of a profile type seen in any shape (A-5: normalised, with a warning if foreign). */
export const writtenProfileTypes = ['helm', 'helm.v3', 'compose', 'docker-compose', 'custom'] as const;
export const cpuArchitectures = ['amd64', 'arm64', 'arm', 'riscv64', 'other'] as const;
export const peripheralTypes = ['gpu', 'display', 'camera', 'microphone', 'speaker', 'other'] as const;
export const interfaceTypes = ['ethernet', 'wifi', 'cellular', 'bluetooth', 'usb', 'canbus', 'rs232', 'other'] as const;
export const matchOperators = [
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
  'Gt',
  'Lt',
  'ContainsAll',
  'ContainsAny',
] as const;

/** Objects that may carry `x-<name>-extensions` keys (V4+); the JSON Schema allows them by pattern. */
const withExtensions = { patternProperties: { [EXTENSION_KEY.source]: { type: 'object' } } };

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const text = z.string();
const nonNegativeInt = z.int().min(0);

const catalogRaw = z.strictObject({
  organization: z.array(z.strictObject({ name: text, site: text.optional() })).min(1),
  author: z.array(z.strictObject({ name: text.optional(), email: text.optional() })).optional(),
  application: z
    .strictObject({
      descriptionFile: text.optional(),
      icon: text.optional(),
      licenseFile: text.optional(),
      releaseNotes: text.optional(),
      site: text.optional(),
      tagline: text.optional(),
      tags: z.array(text).optional(),
    })
    .optional(),
});

const metadataRaw = z.strictObject({
  /** V1–V3 place of the id. */
  id: text.regex(ID_PATTERN).optional(),
  name: text,
  description: text.optional(),
  /** No format; a YAML number (`1.0`) is accepted and kept as its source text (D-10). */
  version: z.union([text, z.number()]),
  catalog: catalogRaw,
});

const cpuRaw = z.strictObject({
  cores: z.number().positive(),
  architectures: z.array(z.enum(cpuArchitectures)).optional(),
});
const memory = text.regex(/^[0-9]+(Mi|Gi|Ki)$/);
const storage = text.regex(/^[0-9]+(Mi|Gi|Ki|Ti|Pi|Ei)$/);
const peripheralRaw = z.strictObject({
  type: z.enum(peripheralTypes),
  manufacturer: text.optional(),
  model: text.optional(),
});
const interfaceRaw = z.strictObject({ type: z.enum(interfaceTypes) });

const requiredResourcesRaw = z.strictObject({
  cpu: cpuRaw.optional(),
  memory: memory.optional(),
  storage: storage.optional(),
  peripherals: z.array(peripheralRaw).optional(),
  interfaces: z.array(interfaceRaw).optional(),
});

interface SelectorRaw {
  matchExpressions: {
    key: string;
    operator: (typeof matchOperators)[number];
    values?: (string | number | boolean)[];
    itemSelector?: SelectorRaw;
  }[];
}
const selectorRaw: z.ZodType<SelectorRaw> = z.lazy(() =>
  z.strictObject({
    matchExpressions: z
      .array(
        z.strictObject({
          key: text,
          operator: z.enum(matchOperators),
          values: z.array(scalar).optional(),
          itemSelector: selectorRaw.optional(),
        }),
      )
      .min(1),
  }),
);

const deviceConstraintsRaw = z.strictObject({
  capacityRequirements: requiredResourcesRaw.optional(),
  eligibilityRules: z
    .array(z.strictObject({ propertySelector: selectorRaw.optional(), labelSelector: selectorRaw.optional() }))
    .optional(),
});

const componentPropertiesRaw = z
  .strictObject({
    repository: text.optional(),
    /** A YAML number (`revision: 1.0`) is accepted and kept as its source text. */
    revision: z.union([text, z.number()]).optional(),
    packageLocation: text.optional(),
    keyLocation: text.optional(),
    wait: z.boolean().optional(),
    timeout: text.regex(TIMEOUT_PATTERN).optional(),
  })
  // repository and revision come together (helm, custom, OCI compose); rules/components.ts says which type needs them.
  .meta({ dependentRequired: { repository: ['revision'], revision: ['repository'] } });

const componentRaw = z
  .strictObject({
    name: text.regex(COMPONENT_NAME_PATTERN),
    properties: componentPropertiesRaw,
  })
  .meta(withExtensions);

const profileRaw = z
  .strictObject({
    type: z.enum(writtenProfileTypes),
    /** Required from V3 on (checked per shape in rules/profiles.ts); no pattern (examples contain dots). */
    id: text.optional(),
    description: text.optional(),
    components: z.array(componentRaw).min(1),
    requiredResources: requiredResourcesRaw.optional(),
    deviceConstraints: deviceConstraintsRaw.optional(),
  })
  .meta(withExtensions);

const targetRaw = z.strictObject({
  pointer: text.min(1),
  components: z.array(text).min(1),
});

const parameterRaw = z.strictObject({
  /** The default; null (an empty `value:`) means none. */
  value: z
    .union([scalar, z.array(scalar)])
    .nullable()
    .optional(),
  targets: z.array(targetRaw).min(1),
});

const settingRaw = z.strictObject({
  parameter: text,
  name: text,
  description: text.optional(),
  immutable: z.boolean().optional(),
  schema: text,
});

const schemaEntryRaw = z.strictObject({
  name: text,
  dataType: z.enum(dataTypes),
  allowEmpty: z.boolean().optional(),
  minLength: nonNegativeInt.optional(),
  maxLength: nonNegativeInt.optional(),
  regexMatch: text.optional(),
  minValue: z.number().optional(),
  maxValue: z.number().optional(),
  minPrecision: nonNegativeInt.optional(),
  maxPrecision: nonNegativeInt.optional(),
  options: z.array(scalar).min(1).optional(),
  multiselect: z.boolean().optional(),
});

const configurationRaw = z.strictObject({
  sections: z.array(z.strictObject({ name: text, settings: z.array(settingRaw).min(1) })),
  schema: z.array(schemaEntryRaw),
});

export const rawDescriptionSchema = z
  .strictObject({
    apiVersion: text,
    /** V1 `application`, V2–V4 `ApplicationDescription`, V5 absent. */
    kind: z.enum(['application', 'ApplicationDescription']).optional(),
    /** V4/V5 place of the id. */
    id: text.regex(ID_PATTERN).optional(),
    metadata: metadataRaw,
    deploymentProfiles: z.array(profileRaw).min(1),
    parameters: z.record(text, parameterRaw).optional(),
    configuration: configurationRaw.optional(),
  })
  .meta({
    ...withExtensions,
    title: 'Margo application description (margo.yaml)',
    description: 'Shapes V1 to V5 as accepted by margo-bridge; see docs/validation.md.',
  });

export type RawDescription = z.infer<typeof rawDescriptionSchema>;
