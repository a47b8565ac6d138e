/** A deployment after resolution: everything the renderers need, with no description left to read. */
import type { ProfileType, Scalar, Target } from '../model.js';
import type { Data, DataMap } from './data.js';

export interface ResolvedComponent {
  name: string;
  /** As typed in the description, keys sorted. */
  properties: Record<string, Scalar>;
  /** `x-<name>-extensions` blocks, copied unchanged (§5.2). */
  extensions: Record<string, Record<string, unknown>>;
}

export interface ResolvedParameter {
  name: string;
  value: Data;
  /** Only targets on the chosen profile's components, each `components` list trimmed (D-9). */
  targets: Target[];
}

/** One Helm values overlay: what `helm --set` would build from the component's targets (D-8). */
export interface HelmValues {
  component: string;
  values: DataMap;
}

/** One target's write: a parameter's value at a pointer of one component. */
export interface ValueWrite {
  pointer: string;
  parameter: string;
  value: Data;
}

export interface EnvEntry {
  name: string;
  /** The value's text as in the ApplicationDeployment (`true`, `120`, `1.50`). */
  value: string;
  parameter: string;
}

export interface EnvFile {
  component: string;
  entries: EnvEntry[];
}

export interface ResolutionWarning {
  code: string;
  message: string;
  parameter?: string;
  component?: string;
}

export interface ResolvedDeployment {
  /** UUID, assigned on the first install and kept across updates (D-9). */
  id: string;
  name: string;
  namespace: string;
  applicationId: string;
  /** The device or cluster, a safe relative path such as `plant-a/line-3`. */
  target: string;
  /** The description's `metadata.version` source text. */
  version: string;
  profile: {
    id: string;
    type: ProfileType;
    typeAsWritten: string;
    components: ResolvedComponent[];
    extensions: Record<string, Record<string, unknown>>;
  };
  /** Sorted by name. */
  parameters: ResolvedParameter[];
  /** One per Helm component, in component order (helm profiles only). */
  helmValues: HelmValues[];
  /** One per compose component, in component order (compose profiles only). */
  envFiles: EnvFile[];
  warnings: ResolutionWarning[];
}
