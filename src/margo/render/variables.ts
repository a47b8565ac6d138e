/**
 * The variables each template receives (docs/rendering.md lists them). Built from a resolved
 * deployment only, so every format reads the same facts.
 */
import { type Data, type DataMap, emptyMap } from '../deployment/data.js';
import type { HelmValues, ResolvedComponent, ResolvedDeployment } from '../deployment/model.js';
import { MAX_RELEASE_NAME_LENGTH, shortenName } from '../deployment/names.js';

type Variables = Record<string, unknown>;

export function deploymentVariable(resolved: ResolvedDeployment): DataMap {
  return {
    id: resolved.id,
    name: resolved.name,
    namespace: resolved.namespace,
    applicationId: resolved.applicationId,
    target: resolved.target,
    version: resolved.version,
  };
}

function componentData(component: ResolvedComponent): DataMap {
  return { name: component.name, properties: component.properties, ...(component.extensions as DataMap) };
}

function parametersData(resolved: ResolvedDeployment): DataMap {
  const parameters = emptyMap();
  for (const parameter of resolved.parameters) {
    parameters[parameter.name] = {
      value: parameter.value,
      targets: parameter.targets.map((target) => ({ pointer: target.pointer, components: target.components })),
    };
  }
  return parameters;
}

/** Variables of `application-deployment` and `application-deployment-v1`. */
export function applicationDeploymentVariables(resolved: ResolvedDeployment): Variables {
  const { profile } = resolved;
  const components = profile.components.map(componentData);
  const extensions = profile.extensions as DataMap;
  return {
    deployment: deploymentVariable(resolved),
    profile: {
      id: profile.id,
      type: profile.type,
      typeAsWritten: profile.typeAsWritten,
      components,
      extensions,
      /** `spec.deploymentProfile` of the Git-era shape: the type as the description spells it. */
      deploymentProfile: { type: profile.typeAsWritten, components, ...extensions },
      /** The same with the normalised type (`helm`, `compose`), for the newest shape. */
      deploymentProfileNormalised: { type: profile.type, components, ...extensions },
    },
    parameters: parametersData(resolved),
  };
}

/** Facts about one Helm component that the GitOps templates share. */
export interface HelmComponent {
  index: number;
  component: ResolvedComponent;
  values: DataMap;
  repository: string;
  revision: string;
  oci: boolean;
  /** For `oci://host/path/chart`: `host/path` and `chart`; otherwise the repository and the component name. */
  registry: string;
  chart: string;
}

function text(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

export function helmComponents(resolved: ResolvedDeployment): HelmComponent[] {
  const valuesByComponent = new Map<string, HelmValues>(resolved.helmValues.map((entry) => [entry.component, entry]));
  return resolved.profile.components.map((component, index) => {
    const repository = text(component.properties.repository) ?? '';
    const oci = repository.startsWith('oci://');
    const withoutScheme = oci ? repository.slice('oci://'.length) : repository;
    const slash = withoutScheme.lastIndexOf('/');
    return {
      index,
      component,
      values: valuesByComponent.get(component.name)?.values ?? emptyMap(),
      repository,
      revision: text(component.properties.revision) ?? '',
      oci,
      registry: oci && slash > 0 ? withoutScheme.slice(0, slash) : repository,
      chart: oci && slash > 0 ? withoutScheme.slice(slash + 1) : component.name,
    };
  });
}

function componentVariable(helm: HelmComponent): DataMap {
  const { properties } = helm.component;
  const wait = properties.wait;
  const variable: DataMap = {
    name: helm.component.name,
    index: helm.index,
    repository: helm.repository,
    revision: helm.revision,
    chart: helm.chart,
    properties: properties as DataMap,
  };
  if (properties.timeout !== undefined) variable.timeout = String(properties.timeout);
  if (wait !== undefined) variable.wait = wait === true || wait === 'true';
  return variable;
}

/** `<deployment>-<component>`, shortened to 63 characters with a hash suffix where longer. */
function objectName(resolved: ResolvedDeployment, component: string): string {
  return shortenName(`${resolved.name}-${component}`);
}

/** Helm's release names are limited to 53 characters. */
function releaseName(helm: HelmComponent): string {
  return shortenName(helm.component.name, MAX_RELEASE_NAME_LENGTH);
}

/** Variables of `flux-helmrelease` and of the chart source template of one component. */
export function fluxVariables(
  resolved: ResolvedDeployment,
  helm: HelmComponent,
  previous: HelmComponent | undefined,
): { release: Variables; source: Variables } {
  const deployment = deploymentVariable(resolved);
  const component = componentVariable(helm);
  const name = objectName(resolved, helm.component.name);
  const sourceKind = helm.oci ? 'OCIRepository' : 'HelmRepository';
  const release: DataMap = { name, releaseName: releaseName(helm) };
  if (helm.oci) {
    release.chartRef = { kind: sourceKind, name, namespace: resolved.namespace };
  } else {
    release.chart = {
      spec: {
        chart: helm.chart,
        version: helm.revision,
        sourceRef: { kind: sourceKind, name, namespace: resolved.namespace },
      },
    };
  }
  if (previous) release.dependsOn = [{ name: objectName(resolved, previous.component.name) }];
  if (component.wait === false) {
    release.install = { disableWait: true, disableWaitForJobs: true };
    release.upgrade = { disableWait: true, disableWaitForJobs: true };
  }
  const source: Data = { kind: sourceKind, name, url: helm.repository };
  return {
    release: { deployment, component, release, values: helm.values },
    source: { deployment, component, source },
  };
}

/** Variables of `argocd-application` for one component; sync waves follow component order. */
export function argocdVariables(resolved: ResolvedDeployment, helm: HelmComponent): Variables {
  return {
    deployment: deploymentVariable(resolved),
    component: componentVariable(helm),
    application: {
      name: objectName(resolved, helm.component.name),
      releaseName: releaseName(helm),
      syncWave: String(helm.index),
      repoURL: helm.registry,
      chart: helm.chart,
    },
    values: helm.values,
  };
}
