/** Shared inputs of the render tests: the digitron example, the spec's values, hand-made descriptions. */
import { readFileSync } from 'node:fs';
import type { Description, Parameter, Profile } from '../src/margo/index.js';
import { validateDocument } from '../src/margo/index.js';
import { loadTemplates } from '../src/margo/render/templates-node.js';

export const examplesDir = new URL('../../shared/margo-examples/', import.meta.url);
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
