/**
 * Checks recorded responses of the fake GitHub against GitHub's published OpenAPI description
 * (`@octokit/openapi`, api.github.com): the operation is found by method and path template, the
 * status must be documented, and a JSON body must validate against the documented schema.
 *
 *   expect(openApiProblems(gh.responses)).toEqual([]);
 *
 * The description is OpenAPI 3.0 (`nullable`); its component schemas are turned into JSON Schema
 * 2020-12 (`nullable: true` → `null` allowed) and checked with Ajv's 2020 validator.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ResponseRecord } from './server.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

interface Operation {
  responses: Record<string, JsonObject>;
}

interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; responses: Record<string, JsonObject> };
}

const schemaId = 'https://api.github.com/openapi';

let loaded: { description: Description; ajv: Ajv2020 } | undefined;
const validators = new Map<string, ValidateFunction>();

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAPI 3.0 schema → JSON Schema 2020-12, with references into the one added component document. */
function convert(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(convert);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'discriminator' || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace(/^#\//, `${schemaId}#/`);
    // The description says oneOf where its alternatives overlap (basic-error and
    // repository-rule-violation-error have only optional fields), so real GitHub answers would fail
    // oneOf; anyOf still demands that the answer matches one documented alternative.
    else if (key === 'oneOf') out.anyOf = convert(value);
    else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, convert(child)]));
    } else out[key] = convert(value);
  }
  if (schema.nullable !== true) return out;
  if (typeof out.type === 'string' && !('enum' in out)) return { ...out, type: [out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

function load() {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const path = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const description = JSON.parse(readFileSync(path, 'utf8')) as Description;
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('date-time', (value: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value),
  );
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addFormat('uri-template', true);
  ajv.addFormat('email', (value: string) => /^[^\s@]+@[^\s@]+$/.test(value));
  ajv.addSchema({ $id: schemaId, components: { schemas: convert(description.components.schemas) } });
  loaded = { description, ajv };
  return loaded;
}

/**
 * Answers any operation can give that GitHub's description leaves out of most operations
 * (authentication, invisible repositories, rate limits, server errors): checked against its
 * generic error schema, `basic-error`.
 */
const genericStatuses = new Set([401, 403, 404, 429, 500, 502, 503, 504]);
const basicError = { $ref: '#/components/schemas/basic-error' };

/** The documented JSON schema of one answer, `null` for an answer without a body, or a problem. */
function documentedSchema(record: ResponseRecord): { schema: Json | null } | { problem: string } {
  const { description } = load();
  const operation = description.paths[record.route]?.[record.method.toLowerCase()];
  if (!operation) {
    // No route at all (an unknown path): GitHub answers 404 with its generic error.
    if (!record.route.includes('{') && record.status === 404) return { schema: basicError };
    return { problem: 'operation not in the OpenAPI description' };
  }
  let response = operation.responses[String(record.status)] ?? operation.responses.default;
  if (!response && genericStatuses.has(record.status)) return { schema: basicError };
  if (!response) {
    return { problem: `status ${record.status} not documented (${Object.keys(operation.responses).join(', ')})` };
  }
  if (typeof response.$ref === 'string') {
    response = description.components.responses[response.$ref.split('/').pop() ?? ''] ?? {};
  }
  const content = response.content;
  // Error answers always carry GitHub's error body, even where the description shows none (422 of DELETE ref).
  if (!isObject(content)) return { schema: record.status >= 400 ? basicError : null };
  const json = content['application/json'] ?? Object.values(content)[0];
  return { schema: isObject(json) && json.schema !== undefined ? json.schema : null };
}

function validatorFor(record: ResponseRecord, schema: Json): ValidateFunction {
  const key = `${record.method} ${record.route} ${record.status}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = load().ajv.compile(convert(schema) as JsonObject);
    validators.set(key, validate);
  }
  return validate;
}

/** Problems of one recorded answer (empty when it matches the description). */
export function openApiProblemsOf(record: ResponseRecord): string[] {
  if (record.undocumented) return [];
  const where = `${record.method} ${record.path} → ${record.status}`;
  const found = documentedSchema(record);
  if ('problem' in found) return [`${where}: ${found.problem}`];
  if (found.schema === null) {
    return record.body === undefined ? [] : [`${where}: body sent where none is documented`];
  }
  if (record.body === undefined) return record.headers['content-type']?.includes('json') ? [`${where}: no body`] : [];
  const validate = validatorFor(record, found.schema);
  if (validate(record.body)) return [];
  return (validate.errors ?? []).slice(0, 10).map((error) => `${where}: ${error.instancePath || '/'} ${error.message}`);
}

/** Problems of every recorded answer of a fake GitHub (`gh.responses`). */
export function openApiProblems(records: readonly ResponseRecord[]): string[] {
  return records.flatMap(openApiProblemsOf);
}

/** Problems of a value against one component schema, e.g. `webhook-pull-request-closed` for a delivery's payload. */
export function componentSchemaProblems(name: string, value: unknown): string[] {
  const { ajv } = load();
  const validate = ajv.getSchema(`${schemaId}#/components/schemas/${name}`);
  if (!validate) return [`no component schema ${name}`];
  if (validate(value)) return [];
  return (validate.errors ?? []).slice(0, 10).map((error) => `${name}: ${error.instancePath || '/'} ${error.message}`);
}
