/**
 * Builds a deployment from typed values (§5.2, D-9): the chosen profile's components, the
 * parameters that still have targets in it (sorted by name), the stable id and name, and the
 * derived files (a values overlay per Helm component, an env file per compose component).
 * Pure: the id comes from `newId` or the previous deployment, never from a clock or RNG here.
 */
import { BridgeError } from '../../errors.js';
import type { Component, Description, Target, TypedValue, Value } from '../model.js';
import { fromTypedValue } from './data.js';
import { buildEnvEntries } from './env.js';
import { buildHelmValues } from './helm-values.js';
import type {
  ResolutionWarning,
  ResolvedComponent,
  ResolvedDeployment,
  ResolvedParameter,
  ValueWrite,
} from './model.js';
import { checkDeploymentName, deploymentName } from './names.js';
import { selectProfile } from './profile.js';
import { checkNamespace, checkTarget } from './target.js';

/** What is known of an existing deployment when it is updated. */
export interface PreviousDeployment {
  id: string;
  name?: string;
  applicationId?: string;
  /** Its parameter values, for the immutable check (D-12). */
  values: Record<string, Value>;
}

export interface BuildInput {
  description: Description;
  /** `helm`, `compose`, `custom` or a profile id. */
  profile: string;
  target: string;
  namespace: string;
  /** The deployment name (an RFC 1123 label); default: the previous deployment's, else deploymentName(). */
  name?: string;
  /** Typed values (End-User input, else defaults), as validateValues resolves them. */
  values: Record<string, TypedValue>;
  previous?: PreviousDeployment;
  newId: () => string;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function resolveComponent(component: Component): ResolvedComponent {
  const properties: ResolvedComponent['properties'] = {};
  for (const key of Object.keys(component.properties).sort(byName)) {
    properties[key] = component.properties[key] as ResolvedComponent['properties'][string];
  }
  return { name: component.name, properties, extensions: component.extensions };
}

function deploymentId(input: BuildInput): string {
  const id = input.previous?.id ?? input.newId();
  if (!UUID.test(id)) {
    throw new BridgeError('INTERNAL', `deployment id '${id}' is not a UUID`, { field: 'id' });
  }
  return id;
}

export function buildDeployment(input: BuildInput): ResolvedDeployment {
  const { description } = input;
  checkTarget(input.target);
  checkNamespace(input.namespace);
  if (input.name !== undefined) checkDeploymentName(input.name);
  if (input.previous?.applicationId !== undefined && input.previous.applicationId !== description.id) {
    throw new BridgeError(
      'CONFLICT',
      `the previous deployment belongs to application '${input.previous.applicationId}', not '${description.id}'`,
    );
  }
  const profile = selectProfile(description, input.profile);
  const componentNames = new Set(profile.components.map((component) => component.name));

  const parameters: ResolvedParameter[] = [];
  for (const name of Object.keys(description.parameters).sort(byName)) {
    const typed = Object.hasOwn(input.values, name) ? input.values[name] : undefined;
    // an optional parameter left empty without a default is omitted (the chart's default applies).
    if (typed === undefined) continue;
    const targets: Target[] = [];
    for (const target of description.parameters[name]?.targets ?? []) {
      const components = target.components.filter((component) => componentNames.has(component));
      if (components.length > 0) targets.push({ pointer: target.pointer, components });
    }
    if (targets.length > 0) parameters.push({ name, value: fromTypedValue(typed), targets });
  }

  const warnings: ResolutionWarning[] = [];
  const writesFor = (component: string): ValueWrite[] =>
    parameters.flatMap((parameter) =>
      parameter.targets
        .filter((target) => target.components.includes(component))
        .map((target) => ({ pointer: target.pointer, parameter: parameter.name, value: parameter.value })),
    );
  const components = profile.components.map(resolveComponent);
  const helmValues =
    profile.type === 'helm'
      ? components.map((component) => ({
          component: component.name,
          values: buildHelmValues(component.name, writesFor(component.name)),
        }))
      : [];
  const envFiles =
    profile.type === 'compose'
      ? components.map((component) => ({
          component: component.name,
          entries: buildEnvEntries(component.name, writesFor(component.name), warnings),
        }))
      : [];

  return {
    id: deploymentId(input),
    name: input.name ?? input.previous?.name ?? deploymentName(description.id),
    namespace: input.namespace,
    applicationId: description.id,
    target: input.target,
    version: description.metadata.version,
    profile: {
      id: profile.id,
      type: profile.type,
      typeAsWritten: profile.typeAsWritten,
      components,
      extensions: profile.extensions,
    },
    parameters,
    helmValues,
    envFiles,
    warnings,
  };
}
