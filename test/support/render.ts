/** Shared inputs of the render tests: the digitron example, the spec's values, hand-made descriptions. */
import { readFileSync } from 'node:fs';
import { type BridgeError, isBridgeError } from '../../src/errors.js';
import { resolveDeployment } from '../../src/margo/deployment/index.js';
import type { Description, Parameter, Profile } from '../../src/margo/index.js';
import { validateDocument } from '../../src/margo/index.js';
import { type RenderFormat, renderDeployment } from '../../src/margo/render/index.js';
import { loadTemplates } from '../../src/margo/render/node/templates.js';
import { examplesDir } from './registries.js';

export const exampleText = (name: string): string => readFileSync(new URL(name, examplesDir), 'utf8');

export const DIGITRON = 'margo-specification_pre-draft_application-package-definition_digitron-orchestrator.margo.yaml';
export const HELM_EXAMPLE = 'margo-specification_pre-draft_desired-state_helm.ApplicationDeployment.yaml';
export const COMPOSE_EXAMPLE = 'margo-specification_pre-draft_desired-state_compose.ApplicationDeployment.yaml';

export function loadDescription(text: string): Description {
  const report = validateDocument(text);
  if (!report.description || !report.valid) throw new Error(`fixture invalid: ${JSON.stringify(report.errors)}`);
  return report.description;
}

export const digitron = (): Description => loadDescription(exampleText(DIGITRON));

/** The End-User values of the spec's desired-state examples, as a values file gives them. */
export const exampleValues = {
  adminName: 'Some One',
  adminPrincipalName: 'someone@somewhere.com',
  cpuLimit: '4',
  idpClientId: '123-ABC',
  idpName: 'Azure AD',
  idpProvider: 'aad',
  idpUrl: 'https://123-abc.com',
  memoryLimit: '16384',
  pollFrequency: '120',
  siteId: 'SID-123-ABC',
};

export const FIXED_ID = 'a3e2f5dc-912e-494f-8395-52cf3769bc06';
export const fixedId = (): string => FIXED_ID;

export const templates = await loadTemplates();

/**
 * The digitron example rendered as the spec's desired-state examples were: its values, target
 * plant-a/line-3, namespace margo-poc, our fixed id. `description` lets a caller validate it once.
 */
export function renderDigitron(profile: 'helm' | 'compose', format?: RenderFormat, description = digitron()) {
  const resolved = resolveDeployment({
    description,
    profile,
    target: 'plant-a/line-3',
    namespace: 'margo-poc',
    values: exampleValues,
    newId: fixedId,
  });
  return renderDeployment(resolved, { ...(format ? { format } : {}), templates });
}

/** The BridgeError that `work` throws (anything else thrown, or nothing, fails the test). */
export function thrown(work: () => unknown): BridgeError {
  try {
    work();
  } catch (error) {
    if (isBridgeError(error)) return error;
    throw error;
  }
  throw new Error('expected a BridgeError');
}

export function helmProfile(components: string[], id = 'helm'): Profile {
  return {
    id,
    type: 'helm',
    typeAsWritten: 'helm',
    components: components.map((name) => ({
      name,
      properties: { repository: `oci://registry.example/charts/${name}`, revision: '1.0.0' },
      extensions: {},
    })),
    extensions: {},
  };
}

export function composeProfile(components: string[], id = 'compose'): Profile {
  return {
    id,
    type: 'compose',
    typeAsWritten: 'compose',
    components: components.map((name) => ({
      name,
      properties: { packageLocation: `https://example.com/${name}.tar.gz` },
      extensions: {},
    })),
    extensions: {},
  };
}

/** A description with the given profiles and parameters and no configuration. */
export function makeDescription(profiles: Profile[], parameters: Record<string, Omit<Parameter, 'name'>>): Description {
  return {
    shape: 'V4',
    apiVersion: 'margo.org/v1-alpha1',
    id: 'com-example-app',
    metadata: { name: 'App', version: '1.0.0', catalog: { organization: [{ name: 'Example' }] } },
    profiles,
    parameters: Object.fromEntries(Object.entries(parameters).map(([name, p]) => [name, { name, ...p }])),
    extensions: {},
  };
}
