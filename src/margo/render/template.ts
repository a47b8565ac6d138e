/**
 * Templates are YAML documents that operators can copy and change. A value written
 * `!var deployment.name` is replaced by that variable as a YAML node (a scalar, a mapping or a
 * sequence), never by pasted text, so the output is valid YAML whatever the values. A `!var`
 * whose variable is absent (e.g. `component.timeout` when the description has none) removes its
 * mapping entry or sequence item. The first segment of every path must be one of the template's
 * variables: a typo is an error when the template is compiled, not a silently missing field.
 * Comments in a template are copied into the output.
 */
import { type Document, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { BridgeError } from '../../errors.js';
import type { Data } from '../deployment/data.js';
import { toNode, writeDocument, yamlOptions } from './yaml-writer.js';

export const VAR_TAG = '!var';

/** Each template and the top-level variables it receives (docs/rendering.md describes them). */
export const templateVariables = {
  'application-deployment': ['deployment', 'profile', 'parameters'],
  'application-deployment-v1': ['deployment', 'profile', 'parameters'],
  'flux-helmrelease': ['deployment', 'component', 'release', 'values'],
  'flux-ocirepository': ['deployment', 'component', 'source'],
  'flux-helmrepository': ['deployment', 'component', 'source'],
  'argocd-application': ['deployment', 'component', 'application', 'values'],
} as const;

export type TemplateName = keyof typeof templateVariables;
export const templateNames = Object.keys(templateVariables) as TemplateName[];
export type TemplateTexts = Record<TemplateName, string>;

export interface Template {
  name: TemplateName;
  document: Document;
}
export type Templates = Record<TemplateName, Template>;

const varTag = { tag: VAR_TAG, resolve: (text: string) => text };
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function invalid(name: string, message: string): BridgeError {
  return new BridgeError('CONFIG_INVALID', `template ${name}: ${message}`, { template: name });
}

function isVar(node: unknown): node is { value: unknown; tag: string } {
  return isScalar(node) && node.tag === VAR_TAG;
}

/** Parses and checks one template; errors name the template and the line. */
export function compileTemplate(name: TemplateName, text: string): Template {
  const document = parseDocument(text, { ...yamlOptions, customTags: [...yamlOptions.customTags, varTag] });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) throw invalid(name, problem.message);
  if (!isMap(document.contents)) throw invalid(name, 'must be a YAML mapping');
  const allowed: readonly string[] = templateVariables[name];
  const check = (node: unknown): void => {
    if (isVar(node)) {
      const path = String(node.value);
      if (!PATH.test(path)) throw invalid(name, `'!var ${path}' is not a dotted variable path`);
      const head = path.split('.')[0] as string;
      if (!allowed.includes(head)) {
        throw invalid(name, `'!var ${path}' uses unknown variable '${head}'; known: ${allowed.join(', ')}`);
      }
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) check(item);
    } else if (isPair(node)) {
      if (isVar(node.key)) throw invalid(name, `'${VAR_TAG} ${String(node.key.value)}' cannot be a mapping key`);
      check(node.value);
    } else if (node && typeof node === 'object' && 'tag' in node && (node as { tag?: string }).tag === VAR_TAG) {
      throw invalid(name, `'${VAR_TAG}' must tag a scalar path, not a collection`);
    }
  };
  check(document.contents);
  return { name, document };
}

export function compileTemplates(texts: TemplateTexts): Templates {
  const templates = {} as Templates;
  for (const name of templateNames) {
    const text = texts[name];
    if (typeof text !== 'string') throw invalid(name, 'is missing');
    templates[name] = compileTemplate(name, text);
  }
  return templates;
}

export type Variables = Record<string, unknown>;

function lookup(variables: Variables, path: string): Data | undefined {
  let current: unknown = variables;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current as Data | undefined;
}

/** Returns the filled node, or undefined when a `!var` names an absent variable (the entry goes). */
function fill(node: unknown, variables: Variables): unknown {
  if (isVar(node)) {
    const value = lookup(variables, String(node.value));
    return value === undefined ? undefined : toNode(value);
  }
  if (isMap(node)) {
    node.items = node.items.filter((pair) => {
      const value = fill(pair.value, variables);
      if (value === undefined) return false;
      pair.value = value as typeof pair.value;
      return true;
    });
  } else if (isSeq(node)) {
    node.items = node.items.map((item) => fill(item, variables)).filter((item) => item !== undefined);
  }
  return node;
}

/** Renders one template with its variables into YAML text. */
export function fillTemplate(template: Template, variables: Variables): string {
  const document = template.document.clone();
  document.contents = fill(document.contents, variables) as Document['contents'];
  return writeDocument(document);
}
