/**
 * The JSON Schema of margo.yaml for editors (`# yaml-language-server: $schema=...`), generated
 * from raw-schema.ts so that it accepts what `validate` accepts structurally:
 * - unknown keys are allowed: validate only warns about them, and JSON Schema has no warning
 *   level (a schema error would mark a valid file red);
 * - the pre-draft spelling `datatype` is accepted for `dataType`, as validate does;
 * - what a component needs depends on its profile's type (helm and custom: repository and
 *   revision; compose: packageLocation, or repository and revision), as rules/components.ts checks.
 */
import { z } from 'zod';
import { rawDescriptionSchema } from './raw-schema.js';

type JsonObject = Record<string, unknown>;

const needsRepository = { required: ['repository', 'revision'] };
const composeForms = { oneOf: [{ required: ['packageLocation'] }, needsRepository] };

function componentsWhere(types: string[], properties: JsonObject): JsonObject {
  return {
    if: { properties: { type: { enum: types } }, required: ['type'] },
    // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
    then: { properties: { components: { items: { properties: { properties } } } } },
  };
}

/** Per-type component requirements, added to each deployment profile. */
const profileTypeRules = [
  componentsWhere(['helm', 'helm.v3', 'custom'], needsRepository),
  componentsWhere(['compose', 'docker-compose'], composeForms),
];

function adjust(schema: JsonObject): void {
  if (schema.additionalProperties === false) delete schema.additionalProperties;
  const properties = schema.properties as Record<string, JsonObject> | undefined;
  const required = schema.required as string[] | undefined;
  if (properties?.dataType && required?.includes('dataType')) {
    schema.required = required.filter((name) => name !== 'dataType');
    schema.anyOf = [{ required: ['dataType'] }, { required: ['datatype'] }];
    properties.datatype = {
      ...properties.dataType,
      description: 'The pre-draft spelling of dataType; write dataType.',
    };
  }
  if (properties?.components && properties.type && properties.deploymentProfiles === undefined) {
    schema.allOf = profileTypeRules;
  }
}

let cached: JsonObject | undefined;

export function descriptionJsonSchema(): JsonObject {
  cached ??= z.toJSONSchema(rawDescriptionSchema, {
    target: 'draft-2020-12',
    override: (context) => adjust(context.jsonSchema as JsonObject),
  }) as JsonObject;
  // A copy, so callers may change it without changing the next caller's answer.
  return structuredClone(cached);
}
