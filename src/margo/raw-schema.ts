/**
 * The application description as written (shapes V1–V5, docs/specification.md §2), in zod. It is the
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
const withExtensions = {
  patternProperties: {
    [EXTENSION_KEY.source]: {
      type: 'object',
      description:
        'Extension data for other tools (x-<name>-extensions, V4 and later): a mapping, copied unchanged into deployments.',
    },
  },
};

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const text = z.string();
const nonNegativeInt = z.int().min(0);

const catalogRaw = z.strictObject({
  organization: z
    .array(
      z.strictObject({
        name: text.describe('Name of the organization that supplies the application.'),
        site: text.optional().describe("Web address of the organization's site."),
      }),
    )
    .min(1)
    .describe('The organizations that supply the application; at least one.'),
  author: z
    .array(
      z.strictObject({
        name: text.optional().describe("The author's name."),
        email: text.optional().describe("The author's e-mail address."),
      }),
    )
    .optional()
    .describe('People to contact about the application.'),
  application: z
    .strictObject({
      descriptionFile: text
        .optional()
        .describe('Path, inside the package, of a Markdown file that describes the application at length.'),
      icon: text.optional().describe('Path, inside the package, of the icon shown in the catalogue.'),
      licenseFile: text.optional().describe("Path, inside the package, of the application's license text."),
      releaseNotes: text.optional().describe('Path, inside the package, of the release notes of this version.'),
      site: text.optional().describe("Web address of the application's site."),
      tagline: text.optional().describe('One sentence shown under the name in the catalogue.'),
      tags: z.array(text).optional().describe('Keywords for finding the application in the catalogue.'),
    })
    .optional()
    .describe('What the catalogue shows about the application: files of the package and short texts.'),
});

const metadataRaw = z.strictObject({
  /** V1–V3 place of the id. */
  id: text
    .regex(ID_PATTERN)
    .optional()
    .describe(
      'The application id in shapes V1 to V3 (V4 and V5 put it at the top level): lower-case letters, digits and -.',
    ),
  name: text.describe('The name End Users see in the catalogue.'),
  description: text.optional().describe('A short description of the application.'),
  /** No format; a YAML number (`1.0`) is accepted and kept as its source text (D-10). */
  version: z
    .union([text, z.number()])
    .describe('The version of this release, kept exactly as written; the Git tag should say the same (D-10).'),
  catalog: catalogRaw.describe('Catalogue information: who supplies the application and what to show about it.'),
});

const cpuRaw = z.strictObject({
  cores: z
    .number()
    .positive()
    .describe('The CPU cores the application needs at least; fractions such as 0.5 are allowed.'),
  architectures: z
    .array(z.enum(cpuArchitectures))
    .optional()
    .describe('The CPU architectures the application runs on.'),
});
const memory = text.regex(/^[0-9]+(Mi|Gi|Ki)$/);
const storage = text.regex(/^[0-9]+(Mi|Gi|Ki|Ti|Pi|Ei)$/);
const peripheralRaw = z.strictObject({
  type: z.enum(peripheralTypes).describe('The kind of peripheral device the application needs.'),
  manufacturer: text.optional().describe("The peripheral's manufacturer, when a specific one is needed."),
  model: text.optional().describe("The peripheral's model, when a specific one is needed."),
});
const interfaceRaw = z.strictObject({
  type: z.enum(interfaceTypes).describe('The kind of communication interface the application needs.'),
});

const requiredResourcesRaw = z.strictObject({
  cpu: cpuRaw.optional().describe('The processor the application needs.'),
  memory: memory.optional().describe('The memory the application needs at least, such as 512Mi or 2Gi.'),
  storage: storage.optional().describe('The storage the application needs at least, such as 10Gi.'),
  peripherals: z
    .array(peripheralRaw)
    .optional()
    .describe('Peripheral devices the application needs (GPU, camera, ...).'),
  interfaces: z
    .array(interfaceRaw)
    .optional()
    .describe('Communication interfaces the application needs (ethernet, wifi, ...).'),
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
          key: text.describe('What is compared: a JSON pointer into the device properties, or a label key.'),
          operator: z.enum(matchOperators).describe('How the key is compared with the values.'),
          values: z.array(scalar).optional().describe('The values compared with; needed by In, NotIn, Gt and Lt.'),
          itemSelector: selectorRaw
            .optional()
            .describe('For ContainsAll and ContainsAny: the expressions each list item is matched with.'),
        }),
      )
      .min(1)
      .describe('Expressions that must all hold for the device to be eligible.'),
  }),
);

const deviceConstraintsRaw = z.strictObject({
  capacityRequirements: requiredResourcesRaw
    .optional()
    .describe('The resources a device needs to have for this profile (V5).'),
  eligibilityRules: z
    .array(
      z.strictObject({
        propertySelector: selectorRaw.optional().describe("Matches the device's properties."),
        labelSelector: selectorRaw.optional().describe("Matches the device's labels."),
      }),
    )
    .optional()
    .describe('Which devices may run this profile; a device is eligible when any one rule matches.'),
});

const componentPropertiesRaw = z
  .strictObject({
    repository: text
      .optional()
      .describe(
        'Where the component is fetched from: the Helm chart repository, or (V5, compose and custom) an oci:// reference. Needed by helm and custom components, together with revision.',
      ),
    /** A YAML number (`revision: 1.0`) is accepted and kept as its source text. */
    revision: z
      .union([text, z.number()])
      .optional()
      .describe('The version of the chart or package to install; in V5 a SemVer version without a leading v.'),
    packageLocation: text
      .optional()
      .describe('Compose components before V5: the absolute URL of the Compose Archive (a tar.gz with compose.yaml).'),
    keyLocation: text.optional().describe('URL of the PGP public key that signs the package at packageLocation.'),
    wait: z
      .boolean()
      .optional()
      .describe('Whether the device waits until the component is deployed before going on (default true).'),
    timeout: text
      .regex(TIMEOUT_PATTERN)
      .optional()
      .describe('How long the device waits for the component, in minutes and seconds such as 8m30s.'),
  })
  // repository and revision come together (helm, custom, OCI compose); rules/components.ts says which type needs them.
  .meta({ dependentRequired: { repository: ['revision'], revision: ['repository'] } });

const componentRaw = z
  .strictObject({
    name: text
      .regex(COMPONENT_NAME_PATTERN)
      .describe('The component name, unique in its profile (lower-case letters, digits and -); parameters target it.'),
    properties: componentPropertiesRaw.describe('Where the component comes from and how it is installed.'),
  })
  .meta(withExtensions);

const profileRaw = z
  .strictObject({
    type: z
      .enum(writtenProfileTypes)
      .describe('How the application is deployed: helm (Kubernetes), compose (Docker Compose) or custom (V5).'),
    /** Required from V3 on (checked per shape in rules/profiles.ts); no pattern (examples contain dots). */
    id: text.optional().describe('The profile id, unique in the description; required from shape V3 on.'),
    description: text.optional().describe('What this profile is for; it must explain any "other" value it uses.'),
    components: z.array(componentRaw).min(1).describe('The components to install, in this order; at least one.'),
    requiredResources: requiredResourcesRaw
      .optional()
      .describe('The resources a device needs for this profile (V3 and V4).'),
    deviceConstraints: deviceConstraintsRaw
      .optional()
      .describe('The resources and properties a device needs for this profile (V5).'),
  })
  .meta(withExtensions);

const targetRaw = z.strictObject({
  pointer: text
    .min(1)
    .describe('Where the value goes: a Helm values path (as with helm --set) or a compose environment variable name.'),
  components: z.array(text).min(1).describe('The names of the components that receive the value; at least one.'),
});

const parameterRaw = z.strictObject({
  /** The default; null (an empty `value:`) means none. */
  value: z
    .union([scalar, z.array(scalar)])
    .nullable()
    .optional()
    .describe('The default value, used when the End User gives none; empty means no default.'),
  targets: z.array(targetRaw).min(1).describe('Where the value is written in the deployed components; at least one.'),
});

const settingRaw = z.strictObject({
  parameter: text.describe('The parameter this setting gives a value to (a key of parameters).'),
  name: text.describe('The label End Users see in the form.'),
  description: text.optional().describe('Help text shown with the setting.'),
  immutable: z
    .boolean()
    .optional()
    .describe('When true, the value cannot change once the application is deployed (D-12); default false.'),
  schema: text.describe('The name of the schema entry (under configuration.schema) that checks the value.'),
});

const schemaEntryRaw = z.strictObject({
  name: text.describe('The name settings use to refer to this entry; unique.'),
  dataType: z.enum(dataTypes).describe('The type of the value: string, integer, double, boolean, or a list of one.'),
  allowEmpty: z
    .boolean()
    .optional()
    .describe(
      'When true, the value may be left empty and no other rule applies to an empty value (D-2); default false.',
    ),
  minLength: nonNegativeInt.optional().describe('Text: the fewest characters allowed.'),
  maxLength: nonNegativeInt.optional().describe('Text: the most characters allowed.'),
  regexMatch: text
    .optional()
    .describe(
      'Text: a regular expression the value must contain a match of (anchor it with ^...$ for a whole match; D-4).',
    ),
  minValue: z.number().optional().describe('Numbers: the smallest value allowed, inclusive (D-6).'),
  maxValue: z.number().optional().describe('Numbers: the largest value allowed, inclusive (D-6).'),
  minPrecision: nonNegativeInt.optional().describe('Doubles: the fewest decimal places, counted as typed (D-3).'),
  maxPrecision: nonNegativeInt.optional().describe('Doubles: the most decimal places, counted as typed (D-3).'),
  options: z
    .array(scalar)
    .min(1)
    .optional()
    .describe('The values End Users choose from; each must be of the dataType (D-5).'),
  multiselect: z.boolean().optional().describe('With options: whether several options may be chosen; default false.'),
});

const configurationRaw = z.strictObject({
  sections: z
    .array(
      z.strictObject({
        name: text.describe('The heading of the section in the form.'),
        settings: z.array(settingRaw).min(1).describe('The settings of this section, in form order.'),
      }),
    )
    .describe('The form End Users fill in, section by section, in this order.'),
  schema: z.array(schemaEntryRaw).describe('The rules values must follow, referred to by name from settings.'),
});

export const rawDescriptionSchema = z
  .strictObject({
    apiVersion: text.describe(
      'The version of the Margo specification the description follows: v1 (V5) or margo.org/v1-alpha1 (V1 to V4).',
    ),
    /** V1 `application`, V2–V4 `ApplicationDescription`, V5 absent. */
    kind: z
      .enum(['application', 'ApplicationDescription'])
      .optional()
      .describe('ApplicationDescription (V2 to V4) or application (V1); absent in V5.'),
    /** V4/V5 place of the id. */
    id: text
      .regex(ID_PATTERN)
      .optional()
      .describe('The application id (V4 and V5): lower-case letters, digits and -, at most 200; used in namespaces.'),
    metadata: metadataRaw.describe('Name, version and catalogue information of the application.'),
    deploymentProfiles: z
      .array(profileRaw)
      .min(1)
      .describe('The ways the application can be deployed (Helm, Compose, custom); at least one.'),
    parameters: z
      .record(text, parameterRaw)
      .optional()
      .describe('Values the application takes, by name: a default and where each value is written.'),
    configuration: configurationRaw
      .optional()
      .describe('The form End Users fill in: sections of settings, and the rules their values follow.'),
  })
  .meta({
    ...withExtensions,
    title: 'Margo application description (margo.yaml)',
    description: 'Shapes V1 to V5 as accepted by margo-bridge; see docs/validation.md.',
  });

export type RawDescription = z.infer<typeof rawDescriptionSchema>;
