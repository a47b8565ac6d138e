/**
 * Checks a Kubernetes manifest against a validating model of `@kubernetes-models/*`, at the
 * model's own apiVersion and kind (the schema's `apiVersion`/`kind` enums reject any other).
 *
 * The models' schemas are generated from the controllers' Go types and shipped only as compiled
 * Ajv validators (`_schemas/*.js`); none of them says `additionalProperties: false`, so a
 * misspelled field passes `validate()`. Kubernetes prunes such a field (unknown fields of a
 * structural schema; at most a warning) or rejects it under strict field validation.
 * `undeclaredFields` finds them without a second copy of the schema: it runs the model's own
 * validator over a tracking copy of the manifest. The compiled validator reads every property
 * its schema declares on an object (`data.interval`, present or not) and enumerates the keys of
 * maps (`labels`); it never looks into free-form values (Helm `values`, `valuesObject`). So, per
 * object: properties read by name → a declared struct, and any other key in it is undeclared;
 * keys enumerated, or nothing read → open, nothing reported.
 */

export interface SchemaModel {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(): void };
}

export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Runs the model's validator on `data` as it is (no defaults added); returns its errors. */
export function schemaErrors(model: SchemaModel, data: unknown): SchemaError[] {
  try {
    // setValidateFunc (base) defines prototype.validate as runValidateFunc(validator, this).
    model.prototype.validate.call(data);
    return [];
  } catch (error) {
    if (error instanceof Error && 'errors' in error && Array.isArray(error.errors)) return error.errors;
    throw error;
  }
}

interface Tracked {
  path: string;
  keys: string[];
  read: Set<string>;
  enumerated: boolean;
}

const pointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

function track(value: unknown, path: string, nodes: Tracked[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => track(item, `${path}/${index}`, nodes));
  if (value === null || typeof value !== 'object') return value;
  const node: Tracked = { path, keys: Object.keys(value), read: new Set(), enumerated: false };
  nodes.push(node);
  const copy = Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, track(child, `${path}/${pointer(key)}`, nodes)]),
  );
  const note = (key: string | symbol) => {
    if (typeof key === 'string') node.read.add(key);
  };
  return new Proxy(copy, {
    get(target, key, receiver) {
      note(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      note(key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      note(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      node.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/** JSON pointers of the fields in `data` that the model's schema does not declare. */
export function undeclaredFields(model: SchemaModel, data: unknown): string[] {
  const nodes: Tracked[] = [];
  schemaErrors(model, track(data, '', nodes));
  return nodes
    .filter((node) => node.read.size > 0 && !node.enumerated)
    .flatMap((node) => node.keys.filter((key) => !node.read.has(key)).map((key) => `${node.path}/${pointer(key)}`));
}

/** Schema errors and undeclared fields, one line each (`/spec/interval must be string`). */
export function checkManifest(model: SchemaModel, data: unknown): string[] {
  return [
    ...schemaErrors(model, data).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`),
    ...undeclaredFields(model, data).map((path) => `${path} is not declared by the schema`),
  ];
}
